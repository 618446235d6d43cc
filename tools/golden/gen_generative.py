"""Goldens for the building blocks of generative models (issue 11): transposed convolution with groups,
dilation, output padding and output_size; Upsample / interpolate; PixelShuffle / PixelUnshuffle;
InstanceNorm2d; spectral norm (torch.nn.utils.spectral_norm); sinusoidal timestep embeddings; EMA of weights.

Run: /usr/bin/python3 tools/golden/gen_generative.py   (writes golden/generative.safetensors)
Layer cases store, like gen_layers.py: <case>.param.<state-dict key>, <case>.x, <case>.y, <case>.g (output
gradient), <case>.gx, <case>.grad.<param> and the buffers after the step (<case>.after.<key>).
"""
import math

import torch
import torch.nn as nn

import fixtures

torch.manual_seed(11)
out = {}


def case(name, module, x, train=True, call=None):
    module.train(train)
    for k, v in module.state_dict().items():
        out[f"{name}.param.{k}"] = v.clone()
    x = x.clone().requires_grad_(True)
    y = call(module, x) if call else module(x)
    g = torch.randn_like(y)
    y.backward(g)
    out[f"{name}.x"], out[f"{name}.y"], out[f"{name}.g"], out[f"{name}.gx"] = x, y, g, x.grad
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad
    for k, b in module.named_buffers():
        out[f"{name}.after.{k}"] = b.clone()


def randomize_affine(m):
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)
    return m


# ---- transposed convolution
case("convt_groups_dil", nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=2),
     torch.randn(2, 4, 5, 4))
case("convt_rect", nn.ConvTranspose2d(3, 2, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                                      bias=False), torch.randn(2, 3, 4, 5))
case("convt_output_size", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), torch.randn(2, 3, 5, 5),
     call=lambda m, x: m(x, output_size=[10, 9]))
case("convt_dcgan", nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, bias=False), torch.randn(2, 8, 7, 7))

# ---- upsampling
img = torch.randn(2, 3, 7, 6)
case("up_nearest_size", nn.Upsample(size=(5, 9), mode="nearest"), img)
case("up_nearest_scale_1_5", nn.Upsample(scale_factor=1.5, mode="nearest"), img)
case("up_nearest_scale_2_3", nn.Upsample(scale_factor=(2, 3), mode="nearest"), img)
case("up_bilinear_scale_1_5", nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=False), img)
case("up_bilinear_scale_ac", nn.Upsample(scale_factor=(2, 3), mode="bilinear", align_corners=True), img)
case("up_bilinear_size_ac", nn.Upsample(size=(3, 11), mode="bilinear", align_corners=True), img)
case("up_bilinear_half", nn.Upsample(scale_factor=0.5, mode="bilinear", align_corners=False), img)

# ---- pixel shuffle
case("pixel_shuffle", nn.PixelShuffle(2), torch.randn(2, 8, 3, 4))
case("pixel_shuffle_3", nn.PixelShuffle(3), torch.randn(1, 9, 2, 3))
case("pixel_unshuffle", nn.PixelUnshuffle(2), torch.randn(2, 2, 6, 4))

# ---- instance norm
x_in = torch.randn(2, 3, 5, 4) * 2 + 1
case("in_default", nn.InstanceNorm2d(3), x_in)
case("in_affine", randomize_affine(nn.InstanceNorm2d(3, affine=True)), x_in)
case("in_track_train", nn.InstanceNorm2d(3, momentum=0.2, track_running_stats=True), x_in)
in_eval = randomize_affine(nn.InstanceNorm2d(3, eps=1e-3, affine=True, track_running_stats=True))
with torch.no_grad():
    in_eval.running_mean.uniform_(-1, 1)
    in_eval.running_var.uniform_(0.5, 2)
case("in_track_eval", in_eval, x_in, train=False)

# ---- spectral norm (the classic hook API: weight_orig parameter, weight_u / weight_v buffers)
sn = nn.utils.spectral_norm
case("sn_linear", sn(nn.Linear(5, 4)), torch.randn(3, 5))
case("sn_conv", sn(nn.Conv2d(3, 4, 3, padding=1), n_power_iterations=2), torch.randn(2, 3, 5, 5))
case("sn_convt", sn(nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1)), torch.randn(2, 4, 3, 3))
case("sn_conv_eval", sn(nn.Conv2d(3, 4, 3)), torch.randn(2, 3, 5, 5), train=False)


# ---- sinusoidal timestep embeddings: diffusers' get_timestep_embedding (diffusers/models/embeddings.py),
# copied here because diffusers is not installed; its defaults (flip_sin_to_cos=False, downscale_freq_shift=1)
# are the DDPM paper's code (Ho et al., tensor2tensor's get_timing_signal).
def get_timestep_embedding(timesteps, embedding_dim, flip_sin_to_cos=False, downscale_freq_shift=1, scale=1,
                           max_period=10000):
    half_dim = embedding_dim // 2
    exponent = -math.log(max_period) * torch.arange(start=0, end=half_dim, dtype=torch.float32)
    exponent = exponent / (half_dim - downscale_freq_shift)
    emb = torch.exp(exponent)
    emb = timesteps[:, None].float() * emb[None, :]
    emb = scale * emb
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half_dim:], emb[:, :half_dim]], dim=-1)
    if embedding_dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1, 0, 0))
    return emb


t = torch.tensor([0, 1, 17, 250, 999])
out["temb.t"] = t
out["temb.default_8"] = get_timestep_embedding(t, 8)
out["temb.odd_9"] = get_timestep_embedding(t, 9)
out["temb.flip_shift0_16"] = get_timestep_embedding(t, 16, flip_sin_to_cos=True, downscale_freq_shift=0)
out["temb.scale_period_6"] = get_timestep_embedding(t, 6, scale=2.0, max_period=1000)
tf = torch.tensor([0.5, 3.25, 40.0])
out["temb.tf"] = tf
out["temb.float_8"] = get_timestep_embedding(tf, 8)

# ---- EMA of weights: ema = ema.lerp(param, 1 - decay) for every parameter, buffers copied; the average
# starts as a copy of the model. The model trains a few SGD steps between updates; its state after each
# step is stored too (ema.step<i>.<key>), so the Java test checks the update alone.
model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
for k, v in model.state_dict().items():
    out[f"ema.init.{k}"] = v.clone()
ema = {k: v.clone() for k, v in model.state_dict().items()}
params = dict(model.named_parameters())
decay = 0.9
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    xb = torch.randn(8, 4)
    out[f"ema.x{step}"] = xb
    opt.zero_grad()
    model(xb).square().mean().backward()
    opt.step()
    with torch.no_grad():
        for k, v in model.state_dict().items():
            out[f"ema.step{step}.{k}"] = v.clone()
            if k in params:
                ema[k].lerp_(v, 1 - decay)
            else:
                ema[k].copy_(v)
for k, v in model.state_dict().items():
    out[f"ema.model.{k}"] = v.clone()
    out[f"ema.avg.{k}"] = ema[k].clone()

fixtures.save(out, fixtures.fixture_path("generative"))
print("wrote generative fixtures", len(out), "tensors")
