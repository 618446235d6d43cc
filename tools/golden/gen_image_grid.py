"""Goldens for image grids: torchvision.utils.make_grid and save_image (torchvision 0.14).

Writes torchlet-data/src/test/resources/golden/image_grid.safetensors (inputs and grids) and
golden/images/grid_saved.png (written by save_image, with the uint8 pixels it wrote stored as
save.pixels). Run: /usr/bin/python3 tools/golden/gen_image_grid.py
"""
import os

import torch
import torchvision.utils as vutils
from PIL import Image

import fixtures

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "torchlet-data", "src", "test", "resources", "golden")

torch.manual_seed(7)
out = {}
x = torch.rand(5, 3, 6, 5) * 1.2 - 0.1  # a little outside [0, 1] so clamping shows
y = torch.randn(5, 3, 6, 5)
gray = torch.rand(5, 1, 6, 5)
out["x"], out["y"], out["gray"] = x, y, gray

out["grid.default"] = vutils.make_grid(x)
out["grid.nrow2_pad1_val"] = vutils.make_grid(x, nrow=2, padding=1, pad_value=0.5)
out["grid.normalize"] = vutils.make_grid(y, normalize=True)
out["grid.normalize_range"] = vutils.make_grid(y, nrow=3, normalize=True, value_range=(-1, 1))
out["grid.scale_each"] = vutils.make_grid(y, nrow=4, padding=0, normalize=True, scale_each=True)
out["grid.gray"] = vutils.make_grid(gray, nrow=3)
out["grid.single"] = vutils.make_grid(x[0])
out["grid.gray2d"] = vutils.make_grid(gray[0, 0])
out["grid.single_batch"] = vutils.make_grid(gray[:1], normalize=True)

png = os.path.join(OUT, "images", "grid_saved.png")
os.makedirs(os.path.dirname(png), exist_ok=True)
vutils.save_image(y, png, nrow=3, normalize=True, value_range=(-1, 1))
out["save.pixels"] = torch.from_numpy(__import__("numpy").array(Image.open(png)))  # (H, W, 3) uint8

fixtures.save(out, os.path.join(OUT, "image_grid.safetensors"))
print("wrote image_grid fixtures and", png)
