"""Goldens for the diffusion model (issue 11, item 4): noise schedules, q_sample, one DDPM and one DDIM step on
fixed noise and a fixed eps prediction, classifier-free guidance, and the U-Net of the ddpm_unet_train_img_s
bench workload (_Res and _UNet copied verbatim from ../shared/bench/pytorch_bench.py), forward and gradients,
unconditional and with a class embedding (yemb, 10 classes + the null class, added to the timestep embedding).

Run: /usr/bin/python3 tools/golden/gen_diffusion.py   (writes torchlet-vision/src/test/resources/golden/diffusion.safetensors)

The U-Net's weights are not stored (they would be 9 MB): every parameter is set by a formula the Java test repeats,
  value[j] = scale * sin(0.37 j + phase), phase = 0.01 * (sum_k ord(name[k]) * (k + 1) mod 997)
with scale 1.7 / sqrt(fan_in) for weights of rank >= 2 (fan_in = numel / shape[0]), norm weights 1 + 0.2 sin(..),
other vectors (biases) 0.2 sin(..); computed in float64, stored as float32. For each parameter the fixture keeps
its shape (<case>.shape.<key>, int64), the first 256 entries of its gradient (<case>.grad_head.<key>) and the
gradient's L2 norm (<case>.grad_norm.<key>), for the loss sum(out * g).
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixtures
from vision_parity import VISION_GOLDEN

torch.manual_seed(11)
out = {}


# ---- noise schedules (float64) -------------------------------------------------------------------------------
def linear_betas(T):
    return torch.linspace(1e-4, 0.02, T, dtype=torch.float64)


def cosine_betas(T, s=0.008, max_beta=0.999):
    # improved-diffusion's betas_for_alpha_bar with the cosine alpha_bar (Nichol and Dhariwal 2021)
    f = lambda u: math.cos((u + s) / (1 + s) * math.pi / 2) ** 2
    return torch.tensor([min(1 - f((i + 1) / T) / f(i / T), max_beta) for i in range(T)], dtype=torch.float64)


for name, betas in (("linear", linear_betas(1000)), ("cosine", cosine_betas(1000)), ("cosine_10", cosine_betas(10))):
    alphas = 1 - betas
    out[f"sched.{name}.betas"] = betas
    out[f"sched.{name}.alphas"] = alphas
    out[f"sched.{name}.alpha_bars"] = torch.cumprod(alphas, 0)

abar = torch.cumprod(1 - linear_betas(1000), 0)
betas = linear_betas(1000)

# ---- q_sample: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, coefficients rounded to float32 ---------------------
x0 = torch.randn(4, 1, 6, 6)
t = torch.tensor([0, 10, 500, 999])
eps = torch.randn_like(x0)
a = abar[t].sqrt().float()[:, None, None, None]
b = (1 - abar[t]).sqrt().float()[:, None, None, None]
out["q.x0"], out["q.t"], out["q.eps"], out["q.xt"] = x0, t, eps, a * x0 + b * eps
# the cosine schedule too
cabar = torch.cumprod(1 - cosine_betas(1000), 0)
out["q.xt_cosine"] = cabar[t].sqrt().float()[:, None, None, None] * x0 + (1 - cabar[t]).sqrt().float()[:, None, None,
                                                                                                        None] * eps


# ---- one DDPM ancestral step (Ho et al. eq. 11, variance beta_tilde or beta) --------------------------------------
def ddpm_step(xt, t, eps_pred, z, variance="beta_tilde"):
    ab = abar[t]
    ab_prev = abar[t - 1] if t > 0 else torch.tensor(1.0, dtype=torch.float64)
    beta = betas[t]
    mean = (1 / (1 - beta).sqrt()).float() * (xt - (beta / (1 - ab).sqrt()).float() * eps_pred)
    var = beta * (1 - ab_prev) / (1 - ab) if variance == "beta_tilde" else beta
    if t == 0:
        return mean
    return mean + var.sqrt().float() * z


xt = torch.randn(2, 1, 6, 6)
eps_pred = torch.randn_like(xt)
z = torch.randn_like(xt)
out["step.xt"], out["step.eps"], out["step.z"] = xt, eps_pred, z
out["ddpm.t500"] = ddpm_step(xt, 500, eps_pred, z)
out["ddpm.t500_beta"] = ddpm_step(xt, 500, eps_pred, z, variance="beta")
out["ddpm.t1"] = ddpm_step(xt, 1, eps_pred, z)
out["ddpm.t0"] = ddpm_step(xt, 0, eps_pred, z)


# ---- one DDIM step (Song et al. eq. 12) from t to t_prev (-1: abar = 1) ---------------------------------------------
def ddim_step(xt, t, t_prev, eps_pred, eta, z):
    ab = abar[t]
    ab_prev = abar[t_prev] if t_prev >= 0 else torch.tensor(1.0, dtype=torch.float64)
    x0_pred = (xt - (1 - ab).sqrt().float() * eps_pred) / ab.sqrt().float()
    sigma = eta * ((1 - ab_prev) / (1 - ab)).sqrt() * (1 - ab / ab_prev).sqrt()
    direction = (1 - ab_prev - sigma ** 2).sqrt().float() * eps_pred
    return ab_prev.sqrt().float() * x0_pred + direction + sigma.float() * z


out["ddim.t500_480_eta0"] = ddim_step(xt, 500, 480, eps_pred, 0.0, z)
out["ddim.t500_480_eta05"] = ddim_step(xt, 500, 480, eps_pred, 0.5, z)
out["ddim.t500_480_eta1"] = ddim_step(xt, 500, 480, eps_pred, 1.0, z)
out["ddim.t20_last"] = ddim_step(xt, 20, -1, eps_pred, 0.0, z)

# ---- classifier-free guidance: eps = eps_u + w (eps_c - eps_u) ----------------------------------------------------
eu, ec = torch.randn(2, 1, 6, 6), torch.randn(2, 1, 6, 6)
out["cfg.uncond"], out["cfg.cond"] = eu, ec
out["cfg.w3"] = eu + 3.0 * (ec - eu)
out["cfg.w0"] = eu


# ---- the bench's U-Net (verbatim) -------------------------------------------------------------------------------
class _Res(nn.Module):
    def __init__(s, cin, cout, tdim=256):
        super().__init__()
        s.n1, s.c1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1); s.t = nn.Linear(tdim, cout)
        s.n2, s.c2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        s.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
    def forward(s, x, temb):
        h = s.c1(F.silu(s.n1(x))) + s.t(temb)[:, :, None, None]
        return s.skip(x) + s.c2(F.silu(s.n2(h)))

class _UNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.temb = nn.Sequential(nn.Linear(128, 256), nn.SiLU(), nn.Linear(256, 256)); s.cin = nn.Conv2d(1, 64, 3, padding=1)
        s.d1 = _Res(64, 64); s.down1 = nn.Conv2d(64, 64, 3, 2, 1); s.d2 = _Res(64, 128); s.down2 = nn.Conv2d(128, 128, 3, 2, 1)
        s.m1 = _Res(128, 128); s.an = nn.GroupNorm(8, 128); s.attn = nn.MultiheadAttention(128, 4, batch_first=True); s.m2 = _Res(128, 128)
        s.u2 = _Res(256, 128); s.u1 = _Res(192, 64); s.nout = nn.GroupNorm(8, 64); s.cout = nn.Conv2d(64, 1, 3, padding=1)
    def forward(s, x, t):
        half = torch.exp(-torch.log(torch.tensor(10000.0)) * torch.arange(64) / 64)
        e = t[:, None].float() * half[None]; temb = s.temb(torch.cat([e.sin(), e.cos()], 1))
        h1 = s.d1(s.cin(x), temb); h2 = s.d2(s.down1(h1), temb)
        h = s.m1(s.down2(h2), temb); B, C, H, W = h.shape
        a = s.an(h).flatten(2).transpose(1, 2); h = h + s.attn(a, a, a, need_weights=False)[0].transpose(1, 2).reshape(B, C, H, W)
        h = s.m2(h, temb)
        h = s.u2(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h2], 1), temb)
        h = s.u1(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h1], 1), temb)
        return s.cout(F.silu(s.nout(h)))


class _CondUNet(_UNet):
    """The conditional variant: yemb = Embedding(10 + 1, 256) added to the timestep embedding."""
    def __init__(s):
        super().__init__()
        s.yemb = nn.Embedding(11, 256)
    def forward(s, x, t, y):
        # the same body as _UNet.forward with temb + yemb(y)
        half = torch.exp(-torch.log(torch.tensor(10000.0)) * torch.arange(64) / 64)
        e = t[:, None].float() * half[None]; temb = s.temb(torch.cat([e.sin(), e.cos()], 1)) + s.yemb(y)
        h1 = s.d1(s.cin(x), temb); h2 = s.d2(s.down1(h1), temb)
        h = s.m1(s.down2(h2), temb); B, C, H, W = h.shape
        a = s.an(h).flatten(2).transpose(1, 2); h = h + s.attn(a, a, a, need_weights=False)[0].transpose(1, 2).reshape(B, C, H, W)
        h = s.m2(h, temb)
        h = s.u2(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h2], 1), temb)
        h = s.u1(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h1], 1), temb)
        return s.cout(F.silu(s.nout(h)))


NORMS = ("n1", "n2", "an", "nout")


def fill(model):
    with torch.no_grad():
        for name, p in model.state_dict().items():
            h = sum(ord(ch) * (k + 1) for k, ch in enumerate(name)) % 997
            j = torch.arange(p.numel(), dtype=torch.float64)
            v = torch.sin(0.37 * j + 0.01 * h)
            if p.dim() >= 2:
                v = v * (1.7 / math.sqrt(p.numel() / p.shape[0]))
            elif name.endswith("weight") and name.split(".")[-2] in NORMS:
                v = 1 + 0.2 * v
            else:
                v = 0.2 * v
            p.copy_(v.float().reshape(p.shape))


def unet_case(name, model, x, t, y=None):
    fill(model)
    x = x.clone().requires_grad_(True)
    y_out = model(x, t) if y is None else model(x, t, y)
    g = torch.randn_like(y_out)
    (y_out * g).sum().backward()
    out[f"{name}.x"], out[f"{name}.t"], out[f"{name}.out"], out[f"{name}.g"] = x, t, y_out, g
    out[f"{name}.gx"] = x.grad
    if y is not None:
        out[f"{name}.y"] = y
    for k, p in model.named_parameters():
        out[f"{name}.shape.{k}"] = torch.tensor(list(p.shape), dtype=torch.int64)
        out[f"{name}.grad_head.{k}"] = p.grad.flatten()[:256]
        out[f"{name}.grad_norm.{k}"] = p.grad.norm()
    print(name, "parameters", sum(p.numel() for p in model.parameters()))


unet_case("unet", _UNet(), torch.randn(2, 1, 28, 28), torch.tensor([3, 777]))
unet_case("unet_cond", _CondUNet(), torch.randn(2, 1, 28, 28), torch.tensor([250, 999]), torch.tensor([4, 10]))

fixtures.save(out, os.path.join(VISION_GOLDEN, "diffusion.safetensors"))
print("wrote diffusion fixtures", len(out), "tensors")
