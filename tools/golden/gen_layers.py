"""Goldens for nn layer modules (with PyTorch's parameters and buffers by state-dict name).

Run: /usr/bin/python3 tools/golden/gen_layers.py   (writes golden/layers.safetensors)
Each case stores: <case>.param.<state-dict key>, <case>.x, <case>.y, <case>.g (output gradient),
<case>.gx and <case>.grad.<param>; BatchNorm also its buffers after the step (<case>.after.<key>).
"""
import torch
import torch.nn as nn

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
    for k, b in module.named_buffers():
        out[f"{name}.after.{k}"] = b.clone()


img = torch.randn(2, 3, 7, 6)
case("conv2d", nn.Conv2d(3, 4, 3, stride=2, padding=1), img)
case("conv2d_groups", nn.Conv2d(4, 6, 3, padding=1, groups=2, bias=False), torch.randn(2, 4, 5, 5))
case("conv1d", nn.Conv1d(3, 5, 3, padding=2, dilation=2), torch.randn(2, 3, 9))
case("convt2d", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), img)
case("maxpool2d", nn.MaxPool2d(3, 2, 1), img)
case("maxpool1d", nn.MaxPool1d(2), torch.randn(2, 3, 9))
case("avgpool2d", nn.AvgPool2d(2), img)
case("adaptive_avg", nn.AdaptiveAvgPool2d((3, 2)), img)
case("adaptive_max", nn.AdaptiveMaxPool2d(2), img)
bn = nn.BatchNorm2d(3)
bn.weight.data.uniform_(0.5, 1.5); bn.bias.data.uniform_(-0.5, 0.5)
case("bn2d_train", bn, img * 2 + 1, train=True)
bn_eval = nn.BatchNorm2d(3)
bn_eval.running_mean.uniform_(-1, 1); bn_eval.running_var.uniform_(0.5, 2)
case("bn2d_eval", bn_eval, img, train=False)
case("bn1d_train", nn.BatchNorm1d(5), torch.randn(8, 5))
ln = nn.LayerNorm([6])
ln.weight.data.uniform_(0.5, 1.5); ln.bias.data.uniform_(-0.5, 0.5)
case("layernorm", ln, torch.randn(2, 4, 6))
case("groupnorm", nn.GroupNorm(2, 4), torch.randn(2, 4, 3, 3))
case("upsample_nearest", nn.Upsample(scale_factor=2, mode="nearest"), img)
case("upsample_bilinear", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), img)
case("upsample_bilinear_ac", nn.Upsample(size=(5, 9), mode="bilinear", align_corners=True), img)
case("upsample_bilinear_down", nn.Upsample(size=(4, 3), mode="bilinear", align_corners=False), img)
enc = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
case("encoder", enc, torch.randn(2, 5, 8))
enc_pre = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
case("encoder_prenorm", enc_pre, torch.randn(2, 5, 8))
emb = nn.Embedding(10, 4, padding_idx=2)
idx = torch.tensor([[1, 2, 3], [2, 9, 1]])
for k, v in emb.state_dict().items():
    out[f"embedding.param.{k}"] = v.clone()
y = emb(idx); g = torch.randn_like(y); y.backward(g)
out.update({"embedding.idx": idx, "embedding.y": y, "embedding.g": g, "embedding.grad.weight": emb.weight.grad})

fixtures.save(out, fixtures.fixture_path("layers"))
print("wrote layers fixtures")
