"""Goldens for torch.nn.utils.prune (PyTorch 1.13 semantics): masks, state dicts, forward and gradients.

Run: cd tools/golden && /usr/bin/python3 gen_prune.py   (writes golden/prune.safetensors)
Weights are drawn so that no two |w| (and no two channel norms) tie, so masks are unique.
Cases (prefix.key):
  l1.*      Linear(6, 5): l1_unstructured 0.3, then again 4 (a count; composes on the remaining entries)
  ln.*      Conv2d(3, 6, 3): ln_structured n=2 dim=0 amount 0.34 (round(2.04) = 2 filters), then n=1 0.5 of the rest
  lndim1.*  Conv2d(4, 3, 2): ln_structured n=inf dim=1 amount 2
  glob.*    Linear(6, 5) + Conv2d(3, 6, 3): global_unstructured L1 0.6, then l1_unstructured 0.25 on the linear
  <case>.sd.<key>: the module's state dict after pruning (key order in metadata "<case>.keys")
  <case>.mask1: the mask after the first pruning; <case>.x, <case>.y: input and output,
  <case>.grad_orig: d(sum(y * gy))/d weight_orig with <case>.gy
"""
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

import fixtures

torch.manual_seed(0)
out = {}
meta = {"generator": "tools/golden/gen_prune.py", "torch": torch.__version__}


def distinct_(t, scale=1.0):
    """Fills t with a random permutation of distinct magnitudes and random signs (no ties)."""
    n = t.numel()
    mags = (torch.randperm(n).float() + 1) / n * scale
    signs = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    with torch.no_grad():
        t.copy_((mags * signs).view_as(t))


def record(name, module, x):
    module.zero_grad()
    y = module(x)
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    out[f"{name}.x"] = x
    out[f"{name}.y"] = y.detach()
    out[f"{name}.gy"] = gy
    out[f"{name}.grad_orig"] = module.weight_orig.grad.clone()
    sd = module.state_dict()
    for k, v in sd.items():
        out[f"{name}.sd.{k}"] = v.clone()
    meta[f"{name}.keys"] = ",".join(sd.keys())


# l1 unstructured, twice
lin = nn.Linear(6, 5)
distinct_(lin.weight)
out["l1.init.weight"] = lin.weight.detach().clone()
out["l1.init.bias"] = lin.bias.detach().clone()
prune.l1_unstructured(lin, "weight", amount=0.3)
out["l1.mask1"] = lin.weight_mask.clone()
prune.l1_unstructured(lin, "weight", amount=4)
record("l1", lin, torch.randn(3, 6))

# ln structured over filters, twice with different norms
conv = nn.Conv2d(3, 6, 3)
distinct_(conv.weight)
out["ln.init.weight"] = conv.weight.detach().clone()
out["ln.init.bias"] = conv.bias.detach().clone()
prune.ln_structured(conv, "weight", amount=0.34, n=2, dim=0)
out["ln.mask1"] = conv.weight_mask.clone()
prune.ln_structured(conv, "weight", amount=0.5, n=1, dim=0)
record("ln", conv, torch.randn(2, 3, 5, 5))

# ln structured along the input channels, infinity norm
conv1 = nn.Conv2d(4, 3, 2)
distinct_(conv1.weight)
out["lndim1.init.weight"] = conv1.weight.detach().clone()
out["lndim1.init.bias"] = conv1.bias.detach().clone()
prune.ln_structured(conv1, "weight", amount=2, n=float("inf"), dim=1)
out["lndim1.mask1"] = conv1.weight_mask.clone()
record("lndim1", conv1, torch.randn(2, 4, 4, 4))

# global unstructured over two layers, then a local pruning on top
gl = nn.Linear(6, 5)
gc = nn.Conv2d(3, 6, 3)
# distinct magnitudes across both tensors together
n1, n2 = gl.weight.numel(), gc.weight.numel()
both = torch.zeros(n1 + n2)
distinct_(both)
with torch.no_grad():
    gl.weight.copy_(both[:n1].view_as(gl.weight))
    gc.weight.copy_(both[n1:].view_as(gc.weight))
out["glob.lin.init.weight"] = gl.weight.detach().clone()
out["glob.lin.init.bias"] = gl.bias.detach().clone()
out["glob.conv.init.weight"] = gc.weight.detach().clone()
out["glob.conv.init.bias"] = gc.bias.detach().clone()
prune.global_unstructured([(gl, "weight"), (gc, "weight")], pruning_method=prune.L1Unstructured, amount=0.6)
out["glob.lin.mask1"] = gl.weight_mask.clone()
out["glob.conv.mask1"] = gc.weight_mask.clone()
prune.l1_unstructured(gl, "weight", amount=0.25)
record("glob.lin", gl, torch.randn(3, 6))
record("glob.conv", gc, torch.randn(2, 3, 5, 5))

# remove: the plain state dict after making the l1 pruning permanent (key order changes: bias, weight)
prune.remove(lin, "weight")
for k, v in lin.state_dict().items():
    out[f"removed.sd.{k}"] = v.clone()
meta["removed.keys"] = ",".join(lin.state_dict().keys())

fixtures.save(out, fixtures.OUT_DIR + "/prune.safetensors", meta)
print("wrote prune.safetensors:", len(out), "tensors")
