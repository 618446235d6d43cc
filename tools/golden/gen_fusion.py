"""Goldens for folding batch norm into a convolution (torch.nn.utils.fusion.fuse_conv_bn_eval).

Run: cd tools/golden && /usr/bin/python3 gen_fusion.py   (writes golden/fusion.safetensors)
Cases: <case>.conv.<key> and <case>.bn.<key> (state dicts, running statistics made non-trivial), <case>.x,
<case>.y (eval-mode bn(conv(x))), <case>.fused.weight / <case>.fused.bias (PyTorch's fused convolution).
"""
import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

import fixtures

torch.manual_seed(0)
out = {}


def case(name, conv, bn, x):
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(bn.num_features) * 0.5)
        bn.running_var.copy_(torch.rand(bn.num_features) * 2 + 0.1)
        if bn.affine:
            bn.weight.copy_(torch.randn(bn.num_features))
            bn.bias.copy_(torch.randn(bn.num_features))
    conv.eval()
    bn.eval()
    for k, v in conv.state_dict().items():
        out[f"{name}.conv.{k}"] = v.clone()
    for k, v in bn.state_dict().items():
        out[f"{name}.bn.{k}"] = v.clone()
    fused = fuse_conv_bn_eval(conv, bn)
    with torch.no_grad():
        out[f"{name}.x"] = x
        out[f"{name}.y"] = bn(conv(x))
    out[f"{name}.fused.weight"] = fused.weight.detach().clone()
    out[f"{name}.fused.bias"] = fused.bias.detach().clone()


case("plain", nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), torch.randn(2, 3, 7, 6))
case("bias_stride", nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.BatchNorm2d(6, eps=1e-3), torch.randn(1, 4, 9, 9))
case("grouped", nn.Conv2d(6, 6, 3, padding=1, groups=3, bias=False), nn.BatchNorm2d(6), torch.randn(2, 6, 5, 5))
case("no_affine", nn.Conv2d(3, 5, 1), nn.BatchNorm2d(5, affine=False), torch.randn(2, 3, 4, 4))

fixtures.save(out, fixtures.OUT_DIR + "/fusion.safetensors",
              {"generator": "tools/golden/gen_fusion.py", "torch": torch.__version__})
print("wrote fusion.safetensors:", len(out), "tensors")
