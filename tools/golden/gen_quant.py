"""Goldens for int8 quantization (PyTorch 1.13, oneDNN engine: Debian's build has no fbgemm): quantize/dequantize arithmetic, observers,
fake quantization with its straight-through gradient, quantized Linear/Conv2d (static) and dynamic Linear/LSTM/GRU.

Run: cd tools/golden && /usr/bin/python3 gen_quant.py   (writes torchlet-compress/src/test/resources/golden/quant.safetensors)
Quantization parameters are stored as tensors: <case>.scale (F32, one per channel or one) and <case>.zp (I64).
"""
import os

import torch
import torch.nn.intrinsic.quantized as nniq
import torch.nn.quantized as nnq
import torch.nn.quantized.dynamic as nnqd
import torch.ao.quantization as tq

import fixtures

torch.manual_seed(0)
torch.backends.quantized.engine = "onednn"  # Debian's build has no fbgemm
out = {}
meta = {"generator": "tools/golden/gen_quant.py", "torch": torch.__version__}
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-compress", "src", "test", "resources", "golden")


def qp(name, scale, zp):
    out[name + ".scale"] = torch.as_tensor(scale, dtype=torch.float32).reshape(-1)
    out[name + ".zp"] = torch.as_tensor(zp, dtype=torch.int64).reshape(-1)


# ---- quantize_per_tensor / per_channel: random values plus exact ties (k + 0.5) * scale and out-of-range values
x = torch.cat([torch.randn(500) * 3, (torch.arange(-40, 40, dtype=torch.float32) + 0.5) * 0.05, torch.tensor([1e9, -1e9])])
out["qpt.x"] = x
for i, (scale, zp, dt) in enumerate([(0.05, 3, torch.quint8), (0.0137, 128, torch.quint8), (0.1, 0, torch.qint8),
                                     (1 / 3, -7, torch.qint8), (0.02, 255, torch.quint8)]):
    q = torch.quantize_per_tensor(x, scale, zp, dt)
    qp(f"qpt.{i}", scale, zp)
    out[f"qpt.{i}.q"] = q.int_repr().to(torch.int64)
    out[f"qpt.{i}.deq"] = q.dequantize()
    meta[f"qpt.{i}.dtype"] = str(dt)
xc = torch.randn(4, 5, 6) * 2
out["qpc.x"] = xc
for i, (axis, dt) in enumerate([(1, torch.quint8), (0, torch.qint8), (2, torch.qint8)]):
    n = xc.shape[axis]
    scales = (torch.rand(n) * 0.05 + 0.01).double()  # float32 values: Torchlet keeps scales in float32
    zps = torch.randint(0, 50, (n,)) if dt == torch.quint8 else torch.randint(-5, 5, (n,))
    q = torch.quantize_per_channel(xc, scales, zps, axis, dt)
    qp(f"qpc.{i}", scales, zps)
    out[f"qpc.{i}.q"] = q.int_repr().to(torch.int64)
    out[f"qpc.{i}.deq"] = q.dequantize()
    meta[f"qpc.{i}.axis"] = axis
    meta[f"qpc.{i}.dtype"] = str(dt)

# ---- observers on three batches
batches = [torch.randn(64) * 2 + 0.5, torch.randn(64) * 3 - 1, torch.rand(64) * 4]
for i, b in enumerate(batches):
    out[f"obs.batch{i}"] = b
configs = {
    "minmax_u8_affine": tq.MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine),
    "minmax_s8_sym": tq.MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric),
    "minmax_u8_affine_rr": tq.MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine, reduce_range=True),
    "minmax_u8_sym": tq.MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_symmetric),
    "minmax_s8_affine": tq.MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_affine),
    "movavg_u8_affine_rr": tq.MovingAverageMinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine,
                                                          reduce_range=True),
}
for name, obs in configs.items():
    for b in batches:
        obs(b)
    s, z = obs.calculate_qparams()
    qp(f"obs.{name}", s, z)
    out[f"obs.{name}.min"] = obs.min_val.reshape(1)
    out[f"obs.{name}.max"] = obs.max_val.reshape(1)
w = [torch.randn(6, 3, 3, 3), torch.randn(6, 3, 3, 3) * 1.5]
out["obs.w0"], out["obs.w1"] = w
for name, obs, axis in [
        ("perchannel_s8_sym", tq.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
                                                          qscheme=torch.per_channel_symmetric), 0),
        ("perchannel_u8_affine_ax1", tq.PerChannelMinMaxObserver(ch_axis=1, dtype=torch.quint8,
                                                                 qscheme=torch.per_channel_affine), 1),
        ("movavg_perchannel_s8_sym", tq.MovingAveragePerChannelMinMaxObserver(
            ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric), 0)]:
    for t in w:
        obs(t)
    s, z = obs.calculate_qparams()
    qp(f"obs.{name}", s, z)
    meta[f"obs.{name}.axis"] = axis
# histogram: the first batch's min and max are integers (PyTorch 1.13 bins over int(min)..int(max)); the second
# batch lies inside that range, so its counts are added bin by bin
h0 = torch.cat([torch.randn(4000).clamp(-3.9, 4.9), torch.tensor([-4.0, 5.0]), torch.randn(20) * 0.01 + 4.5])
h1 = torch.randn(3000).clamp(-3.5, 4.5)
out["hist.batch0"], out["hist.batch1"] = h0, h1
for name, obs in [("u8_affine_rr", tq.HistogramObserver(reduce_range=True)),
                  ("s8_sym", tq.HistogramObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric))]:
    obs(h0)
    out[f"hist.{name}.hist0"] = obs.histogram.clone()
    obs(h1)
    out[f"hist.{name}.hist1"] = obs.histogram.clone()
    s, z = obs.calculate_qparams()
    qp(f"hist.{name}", s, z)
    lo, hi = obs._non_linear_param_search()
    out[f"hist.{name}.search"] = torch.stack([lo, hi]).reshape(2)

# ---- fake quantize: forward and straight-through gradient
xf = torch.randn(3, 4, 5) * 2
xf.requires_grad_(True)
y = torch.fake_quantize_per_tensor_affine(xf, 0.03, 10, 0, 127)
gy = torch.randn_like(y)
(y * gy).sum().backward()
out["fq.x"], out["fq.gy"], out["fq.y"], out["fq.gx"] = xf.detach(), gy, y.detach(), xf.grad.clone()
qp("fq", 0.03, 10)
xf.grad = None
sc = torch.tensor([0.02, 0.05, 0.01, 0.04])
zc = torch.tensor([0, 1, -2, 0], dtype=torch.int32)
y = torch.fake_quantize_per_channel_affine(xf, sc, zc, 1, -128, 127)
(y * gy).sum().backward()
out["fqc.y"], out["fqc.gx"] = y.detach(), xf.grad.clone()
qp("fqc", sc, zc)


# ---- static quantized Linear / Conv2d (+ReLU): per-channel symmetric qint8 weights, quint8 activations
def weight_q(wf):
    obs = tq.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    obs(wf)
    s, z = obs.calculate_qparams()
    return torch.quantize_per_channel(wf, s.double(), z, 0, torch.qint8)


for name, mod in [("qlinear", nnq.Linear(13, 7)), ("qlinear_relu", nniq.LinearReLU(13, 7))]:
    wf = torch.randn(7, 13) * 0.3
    b = torch.randn(7) * 0.1
    mod.set_weight_bias(weight_q(wf), b)
    mod.scale, mod.zero_point = 0.045, 60
    xin = torch.randn(5, 13)
    xq = torch.quantize_per_tensor(xin, 0.02, 64, torch.quint8)
    yq = mod(xq)
    out[f"{name}.x"], out[f"{name}.w"], out[f"{name}.b"] = xin, wf, b
    qp(f"{name}.in", 0.02, 64)
    qp(f"{name}.out", 0.045, 60)
    out[f"{name}.yq"] = yq.int_repr().to(torch.int64)
for name, mod in [("qconv", nnq.Conv2d(3, 5, 3, stride=2, padding=1)),
                  ("qconv_relu", nniq.ConvReLU2d(3, 5, 3, stride=1, padding=1)),
                  ("qconv_groups", nnq.Conv2d(4, 6, 3, stride=1, padding=0, groups=2))]:
    cin = mod.in_channels
    wf = torch.randn(mod.out_channels, cin // mod.groups, 3, 3) * 0.3
    b = torch.randn(mod.out_channels) * 0.1
    mod.set_weight_bias(weight_q(wf), b)
    mod.scale, mod.zero_point = 0.06, 70
    xin = torch.randn(2, cin, 7, 6)
    xq = torch.quantize_per_tensor(xin, 0.025, 60, torch.quint8)
    yq = mod(xq)
    out[f"{name}.x"], out[f"{name}.w"], out[f"{name}.b"] = xin, wf, b
    qp(f"{name}.in", 0.025, 60)
    qp(f"{name}.out", 0.06, 70)
    out[f"{name}.yq"] = yq.int_repr().to(torch.int64)
    meta[f"{name}.geometry"] = f"{mod.stride[0]},{mod.padding[0]},{mod.groups}"

# ---- dynamic: activations quantized on the fly (fbgemm: reduce_range), weights per-channel symmetric qint8
qconfig = {torch.nn.Linear: tq.per_channel_dynamic_qconfig, torch.nn.LSTM: tq.per_channel_dynamic_qconfig,
           torch.nn.GRU: tq.per_channel_dynamic_qconfig}
for i, xin in enumerate([torch.randn(4, 9) * 2, torch.randn(3, 9) * 0.5 + 1]):
    sc, zp = torch._choose_qparams_per_tensor(xin, True)
    qp(f"choose.{i}", sc, zp)
    out[f"choose.{i}.x"] = xin
lin = torch.nn.Linear(9, 6)
model = torch.nn.Sequential(lin)
for k, v in lin.state_dict().items():
    out[f"dlinear.{k}"] = v.clone()
qm = tq.quantize_dynamic(model, qconfig)
xin = torch.randn(4, 9) * 2
out["dlinear.x"], out["dlinear.y"], out["dlinear.float_y"] = xin, qm(xin), lin(xin).detach()
for kind in ["LSTM", "GRU"]:
    rnn = getattr(torch.nn, kind)(5, 7, num_layers=2, batch_first=True)
    for k, v in rnn.state_dict().items():
        out[f"d{kind.lower()}.{k}"] = v.clone()
    model = torch.nn.Sequential(rnn)
    qm = tq.quantize_dynamic(model, qconfig)
    xin = torch.randn(3, 6, 5)
    y, _ = qm[0](xin)
    out[f"d{kind.lower()}.x"], out[f"d{kind.lower()}.y"] = xin, y.detach()
    out[f"d{kind.lower()}.float_y"] = rnn(xin)[0].detach()

fixtures.save(out, OUT + "/quant.safetensors", meta)
print("wrote quant.safetensors:", len(out), "tensors")
