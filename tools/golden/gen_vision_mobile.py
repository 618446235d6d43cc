"""Parity fixtures of the mobile families: MobileNetV2, MobileNetV3 (large, small), EfficientNet-B0.

Run: cd tools/golden && /usr/bin/python3 gen_vision_mobile.py
Writes torchlet-vision/src/test/resources/golden/vision_<name>.safetensors (see vision_parity.py) and
vision_<name>.keys.txt: torchvision's state-dict keys in order, one "key<TAB>shape" line each
(shape comma-separated, empty for 0-d tensors).
"""
import os

import torch
from torchvision.models import efficientnet_b0, mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small

from vision_parity import VISION_GOLDEN, write_parity

INPUT = (2, 3, 64, 64)


def write_keys(name, model):
    os.makedirs(VISION_GOLDEN, exist_ok=True)
    path = os.path.join(VISION_GOLDEN, "vision_" + name + ".keys.txt")
    with open(path, "w") as f:
        for k, v in model.state_dict().items():
            f.write(k + "\t" + ",".join(str(d) for d in v.shape) + "\n")


def parity(name, model, features, bns):
    write_keys(name, model)
    write_parity(name, model, INPUT, features, bns)


torch.manual_seed(0)
parity("mobilenet_v2", mobilenet_v2(num_classes=10),
       ["features.1", "features.3", "features.14", "features.18"],
       ["features.0.1", "features.17.conv.3"])
parity("mobilenet_v3_large", mobilenet_v3_large(num_classes=10),
       ["features.2", "features.5.block.2", "features.13", "features.16"],
       ["features.0.1", "features.15.block.3.1"])
parity("mobilenet_v3_small", mobilenet_v3_small(num_classes=10),
       ["features.1.block.1", "features.4", "features.12"],
       ["features.0.1", "features.11.block.3.1"])
# In train mode the residual MBConv blocks apply StochasticDepth (random: torchvision's and Torchlet's
# generators differ), so every BatchNorm after the first such block sees different inputs in the two
# frameworks. The first block with a residual is features.2.1 (stochastic depth p = 0.2 * 2 / 16), and its
# stochastic depth acts on the block's output: the BatchNorms up to and including its projection BN
# (features.2.1.block.3.1) see the same inputs in both frameworks, the later ones do not. (The classifier's
# Dropout comes after the last BN.)
parity("efficientnet_b0", efficientnet_b0(num_classes=10),
       ["features.1", "features.2.1", "features.5", "features.8"],
       ["features.0.1", "features.2.1.block.3.1"])
