"""Golden fixtures for torchlet-data transforms (torchvision 0.14, tensor code path).

Writes small PNG input images and torchlet-data/src/test/resources/golden/transforms.safetensors
with the expected outputs. Run: /usr/bin/python3 tools/golden/gen_transforms.py
"""
import os

import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

import fixtures

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "torchlet-data", "src", "test", "resources", "golden")


def main():
    torch.manual_seed(20240611)
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    # Two small RGB images (odd sizes, one landscape, one portrait) and a smooth gradient image.
    images = {
        "rgb13x17": torch.randint(0, 256, (13, 17, 3), dtype=torch.uint8),
        "rgb19x11": torch.randint(0, 256, (19, 11, 3), dtype=torch.uint8),
    }
    yy, xx = torch.meshgrid(torch.arange(16), torch.arange(24), indexing="ij")
    grad = torch.stack([xx * 10, yy * 15, (xx + yy) * 5], dim=-1).clamp(0, 255).to(torch.uint8)
    images["grad16x24"] = grad
    out = {}
    for name, hwc in images.items():
        path = os.path.join(OUT, "images", name + ".png")
        Image.fromarray(hwc.numpy(), "RGB").save(path)
        pil = Image.open(path)
        x = T.ToTensor()(pil)  # (3, H, W) float in [0, 1]
        out[f"{name}.to_tensor"] = x
        h, w = x.shape[-2:]
        # Resize: shrink with antialias (exact size and smaller-edge forms), enlarge, shrink without antialias.
        out[f"{name}.resize_shrink_aa"] = T.Resize((5, 7), antialias=True)(x)
        out[f"{name}.resize_edge6_aa"] = T.Resize(6, antialias=True)(x)
        out[f"{name}.resize_enlarge_aa"] = T.Resize((h * 2 + 3, w + 9), antialias=True)(x)
        out[f"{name}.resize_shrink_noaa"] = T.Resize((5, 7), antialias=False)(x)
        out[f"{name}.resize_mixed_aa"] = T.Resize((h + 5, max(1, w // 3)), antialias=True)(x)
        out[f"{name}.normalize"] = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])(x)
        out[f"{name}.center_crop_8x9"] = T.CenterCrop((8, 9))(x)
        out[f"{name}.center_crop_7"] = T.CenterCrop(7)(x)
        out[f"{name}.center_crop_big"] = T.CenterCrop((h + 3, w + 4))(x)
        out[f"{name}.hflip"] = TF.hflip(x)
        out[f"{name}.vflip"] = TF.vflip(x)
        out[f"{name}.gray1"] = T.Grayscale(1)(x)
        out[f"{name}.gray3"] = T.Grayscale(3)(x)
        out[f"{name}.brightness_1.3"] = TF.adjust_brightness(x, 1.3)
        out[f"{name}.contrast_0.6"] = TF.adjust_contrast(x, 0.6)
        out[f"{name}.saturation_1.7"] = TF.adjust_saturation(x, 1.7)
        out[f"{name}.hue_0.2"] = TF.adjust_hue(x, 0.2)
        out[f"{name}.rotate_90"] = TF.rotate(x, 90.0)
    fixtures.save(out, os.path.join(OUT, "transforms.safetensors"),
                  metadata={"torch": torch.__version__, "torchvision": __import__("torchvision").__version__})


if __name__ == "__main__":
    main()
