"""Goldens for the layers the vision models need: the hard activations and torchvision.ops of the mobile models,
ConvNeXt's LayerNorm2d and ViT's class token and position embedding (as layers doing what torchvision's
VisionTransformer does with its class_token and encoder.pos_embedding).

Run: cd tools/golden && /usr/bin/python3 gen_layers_vision.py   (writes golden/layers_vision.safetensors)
Cases as gen_layers.py: <case>.param.<state-dict key>, <case>.x, <case>.y, <case>.g (output gradient),
<case>.gx and <case>.grad.<param>. The activation inputs include the kinks on purpose (relu6 at 0 and 6,
hardswish/hardsigmoid at -3 and 3), where PyTorch's backward picks a one-sided value. Note: PyTorch 1.13's
CPU hardswish backward gives 1 at x = 3 in its vectorized loop but 3/2 in its scalar tail loop (tensors or tails
shorter than one vector); the activation inputs here have 48 elements, the kinks first, so the vectorized
value is the one recorded, and the one Torchlet implements.
StochasticDepth is random in training, so only its deterministic cases are here (eval, p = 0, p = 1);
VisionLayerGoldenTest checks the random ones statistically.
"""
import torch
import torch.nn as nn
from torchvision.models.convnext import LayerNorm2d
from torchvision.ops import SqueezeExcitation, StochasticDepth

import fixtures

torch.manual_seed(0)
out = {}


def case(name, module, x, train=True):
    module.train(train)
    for k, v in module.state_dict().items():
        out[f"{name}.param.{k}"] = v.clone()
    x = x.clone().requires_grad_(True)
    y = module(x)
    g = torch.randn_like(y)
    y.backward(g)
    out[f"{name}.x"], out[f"{name}.y"], out[f"{name}.g"], out[f"{name}.gx"] = x, y, g, x.grad
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad


kinks = torch.tensor([-7.0, -6.0, -3.0, -2.5, -1.0, 0.0, 0.5, 1.0, 2.5, 3.0, 6.0, 7.0])
act_x = torch.cat([kinks, torch.randn(36) * 4]).reshape(2, 3, 8)
case("relu6", nn.ReLU6(), act_x)
case("hardswish", nn.Hardswish(), act_x)
case("hardsigmoid", nn.Hardsigmoid(), act_x)

img = torch.randn(2, 6, 5, 4)
case("se", SqueezeExcitation(6, 3), img)
case("se_hardsigmoid", SqueezeExcitation(6, 4, scale_activation=nn.Hardsigmoid), img * 2)
case("se_silu", SqueezeExcitation(6, 2, activation=nn.SiLU), img)

case("sd_eval", StochasticDepth(0.5, "row"), img, train=False)
case("sd_p0", StochasticDepth(0.0, "row"), img, train=True)
case("sd_p1_row", StochasticDepth(1.0, "row"), img, train=True)
case("sd_p1_batch", StochasticDepth(1.0, "batch"), img, train=True)



# ---- channels-last LayerNorm on (N, C, H, W) (ConvNeXt) and the ViT token layers
class ClassToken(nn.Module):
    """torchvision's VisionTransformer class token as a layer: cat([token.expand(n, -1, -1), x], dim=1)."""

    def __init__(self, dim):
        super().__init__()
        self.token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x):
        return torch.cat([self.token.expand(x.shape[0], -1, -1), x], dim=1)


class PositionEmbedding(nn.Module):
    """torchvision's ViT Encoder position embedding as a layer: x + pos_embedding."""

    def __init__(self, length, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(1, length, dim).normal_(std=0.02))

    def forward(self, x):
        return x + self.weight


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))
    return module


case("ln2d", randomize(LayerNorm2d(6, eps=1e-6)), torch.randn(2, 6, 5, 4))
case("ln2d_default", randomize(LayerNorm2d(5)), torch.randn(3, 5, 2, 3) * 3 + 1)
case("class_token", randomize(ClassToken(8)), torch.randn(3, 5, 8))
case("pos_embedding", randomize(PositionEmbedding(5, 8)), torch.randn(3, 5, 8))

fixtures.save(out, fixtures.fixture_path("layers_vision"))
print("wrote layers_vision fixtures", sum(v.numel() for v in out.values()), "values")
