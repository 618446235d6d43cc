"""Golden trajectory of the DCGAN training step (issue 11): GanTrainer.step against PyTorch.

The seed's DCGAN (_dcgan() of ../shared/bench/pytorch_bench.py), with the discriminator's two dropouts set to
p = 0 so the run is deterministic, trained for 3 iterations on fixed real images (16, 1, 28, 28) in [-1, 1]
and fixed noise: each iteration one discriminator step (BCE-with-logits of D(real) against 0.9, one-sided
label smoothing, plus D(G(z).detach()) against 0) and one generator step (non-saturating BCE-with-logits of
D(G(z)) against 1), each Adam(2e-4, betas 0.5/0.999), the same fakes for both steps.

Run: /usr/bin/python3 tools/golden/gen_gan_step.py
The initial weights are vision_parity.fill_procedural's (Java: ProceduralWeights), with weight matrices and kernels times 0.25, state-dict keys generator.* and
discriminator.*. Writes torchlet-vision/src/test/resources/golden/gan_step.safetensors: real, noise<i>, loss_d<i>,
loss_g<i> (i = 0, 1, 2), after.<batch-norm running statistic>, and the gradients of the first iteration against the initial weights: grad0.discriminator.<param> (of D's loss) and
grad0.generator.<param> (of G's loss, before D's first step); tensors of more than 16384 elements flattened and cut to
their first 16384.
"""
import copy
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixtures

from vision_parity import VISION_GOLDEN, fill_procedural

torch.manual_seed(2024)


def dcgan():
    g = nn.Sequential(nn.Linear(100, 7 * 7 * 256, bias=False), nn.BatchNorm1d(7 * 7 * 256), nn.ReLU(),
                      nn.Unflatten(1, (256, 7, 7)),
                      nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(64),
                      nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.0),
                      nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.0),
                      nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return nn.ModuleDict({"generator": g, "discriminator": d})


HEAD = 16384  # gradients of larger tensors are stored flattened, first HEAD elements only (fixture size)


def head(t):
    return t.flatten()[:HEAD].clone() if t.numel() > HEAD else t.clone()


gan = dcgan().train()
fill_procedural(gan)  # the initial weights, reproduced in Java by ProceduralWeights (no 10 MB of init values)
with torch.no_grad():
    for p in gan.parameters():
        if p.dim() >= 2:
            p.mul_(0.25)  # procedural bounds are sqrt(6 / fan_in): scaled so D's logits start near 0
g, d = gan["generator"], gan["discriminator"]
out = {}
og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
real = torch.rand(16, 1, 28, 28) * 2 - 1
out["real"] = real
z0 = torch.randn(16, 100)
# G's gradient of the non-saturating loss against the initial D, on a copy (the BN statistics stay untouched)
probe = copy.deepcopy(gan)
F.binary_cross_entropy_with_logits(probe["discriminator"](probe["generator"](z0)), torch.ones(16, 1)).backward()
out.update({f"grad0.generator.{k}": head(p.grad) for k, p in probe["generator"].named_parameters()})
for i in range(3):
    z = z0 if i == 0 else torch.randn(16, 100)
    out[f"noise{i}"] = z
    fake = g(z)
    od.zero_grad()
    loss_d = (F.binary_cross_entropy_with_logits(d(real), torch.full((16, 1), 0.9))
              + F.binary_cross_entropy_with_logits(d(fake.detach()), torch.zeros(16, 1)))
    loss_d.backward()
    if i == 0:
        out.update({f"grad0.discriminator.{k}": head(p.grad) for k, p in d.named_parameters()})
    od.step()
    og.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(d(fake), torch.ones(16, 1))
    loss_g.backward()
    og.step()
    out[f"loss_d{i}"], out[f"loss_g{i}"] = loss_d.detach(), loss_g.detach()
for k, v in gan.state_dict().items():
    if "running_" in k:
        out[f"after.{k}"] = v.clone()
fixtures.save(out, os.path.join(VISION_GOLDEN, "gan_step.safetensors"))
print("wrote gan_step.safetensors", [(i, float(out[f"loss_d{i}"]), float(out[f"loss_g{i}"])) for i in range(3)])
