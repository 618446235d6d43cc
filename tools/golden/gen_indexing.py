"""Golden fixtures for indexing ops, softmax/log-softmax and tensor printing.

Writes
  torchlet-core/src/test/resources/golden/indexing.safetensors   inputs, outputs, gradients
  torchlet-core/src/test/resources/golden/indexing_repr.txt      repr() of the tensors stored under "fmt.*"

Gradients are taken for sum(out * g) with a random upstream g (key "<case>.g"), so "<case>.gx" is
the vector-Jacobian product autograd computes for backward(g).

Run with the system Python that has PyTorch:  /usr/bin/python3 tools/golden/gen_indexing.py
"""
import os

import torch

import fixtures

torch.manual_seed(20240611)
T = {}


def leaf(x):
    return x.detach().clone().requires_grad_(True)


def vjp(name, out, inputs):
    """Stores out, a random upstream gradient and the resulting input gradients."""
    g = torch.randn(out.shape, dtype=out.dtype)
    out.backward(g)
    T[name + ".out"] = out
    T[name + ".g"] = g
    for k, x in inputs.items():
        T[name + "." + k] = x
        if x.grad is not None:
            T[name + ".g" + k] = x.grad


# ---------------------------------------------------------------- index_select
x = leaf(torch.randn(4, 5))
idx = torch.tensor([3, 0, 3, 1])
vjp("index_select0", x.index_select(0, idx), {"x": x, "idx": idx})
x = leaf(torch.randn(4, 5))
idx = torch.tensor([4, 4, 0])
vjp("index_select_neg", x.index_select(-1, idx), {"x": x, "idx": idx})
# transposed (non-contiguous) input: x is stored as (5, 4), the op sees x.t() of shape (4, 5)
x = leaf(torch.randn(5, 4))
idx = torch.tensor([2, 0])
vjp("index_select_t", x.t().index_select(1, idx), {"x": x, "idx": idx})
x = leaf(torch.randn(2, 3, 4))
idx = torch.tensor([1, 1, 0, 2])
vjp("index_select3d", x.index_select(1, idx), {"x": x, "idx": idx})

# ---------------------------------------------------------------- gather
x = leaf(torch.randn(3, 4))
idx = torch.randint(0, 4, (2, 6))
vjp("gather1", x.gather(1, idx), {"x": x, "idx": idx})
x = leaf(torch.randn(3, 4))
idx = torch.randint(0, 3, (5, 4))
vjp("gather0", x.gather(0, idx), {"x": x, "idx": idx})
x = leaf(torch.randn(4, 3))  # the op sees x.t(): (3, 4), gathered along dim -1
idx = torch.randint(0, 4, (3, 2))
vjp("gather_t", x.t().gather(-1, idx), {"x": x, "idx": idx})
x = leaf(torch.randn(2, 3, 4))
idx = torch.randint(0, 3, (2, 5, 4))
vjp("gather3d", x.gather(1, idx), {"x": x, "idx": idx})

# ---------------------------------------------------------------- scatter / scatter_add
x = leaf(torch.randn(3, 5))
src = leaf(torch.randn(2, 3))
idx = torch.stack([torch.randperm(5)[:3] for _ in range(2)])  # unique per row: scatter is deterministic
vjp("scatter1", x.scatter(1, idx, src), {"x": x, "src": src, "idx": idx})
x = leaf(torch.randn(4, 3))
src = leaf(torch.randn(2, 3))
idx = torch.stack([torch.randperm(4)[:2] for _ in range(3)], dim=1)  # unique per column
vjp("scatter0", x.scatter(0, idx, src), {"x": x, "src": src, "idx": idx})
x = leaf(torch.randn(3, 5))
src = leaf(torch.randn(3, 4))
idx = torch.tensor([[0, 0, 4, 0], [1, 2, 1, 1], [3, 3, 3, 3]])  # duplicates accumulate
vjp("scatter_add1", x.scatter_add(1, idx, src), {"x": x, "src": src, "idx": idx})
x = leaf(torch.randn(5, 2))  # the op sees x.t(): (2, 5), scatter_add along dim -1
src = leaf(torch.randn(2, 3))
idx = torch.tensor([[4, 4, 0], [2, 1, 2]])
vjp("scatter_add_t", x.t().scatter_add(-1, idx, src), {"x": x, "src": src, "idx": idx})
# src larger than index (forward only: PyTorch itself rejects the src gradient of this shape)
x = torch.randn(3, 5)
src = torch.randn(4, 6)
idx = torch.tensor([[1, 3], [0, 4]])
T["scatter_big.x"], T["scatter_big.src"], T["scatter_big.idx"] = x, src, idx
T["scatter_big.out"] = x.scatter(1, idx, src)
T["scatter_add_big.out"] = x.scatter_add(1, idx, src)

# ---------------------------------------------------------------- masked_fill / masked_select / where
x = leaf(torch.randn(2, 3, 4))
mask = torch.rand(3, 1) > 0.5
mask[0, 0], mask[1, 0] = True, False
vjp("masked_fill", x.masked_fill(mask, -1.5), {"x": x, "mask": mask})
x = leaf(torch.randn(2, 1))  # broadcast of the input itself to the mask's shape
mask = torch.tensor([[True, False, True], [False, False, True]])
vjp("masked_fill_bx", x.masked_fill(mask, 7.0), {"x": x, "mask": mask})
x = leaf(torch.randn(3, 4))
mask = torch.tensor([True, False, True, True])
vjp("masked_select", torch.masked_select(x, mask), {"x": x, "mask": mask})
x = leaf(torch.randn(4, 3))  # the op sees x.t(): (3, 4)
mask = torch.rand(3, 4) > 0.4
# PyTorch 1.13's masked_select backward is wrong for non-contiguous inputs (it fails its own
# torch.autograd.gradcheck: masked_scatter_ into a transposed zeros_like walks memory order), so the
# golden gradient is taken through a contiguous copy, which has the same forward values.
vjp("masked_select_t", torch.masked_select(x.t().contiguous(), mask), {"x": x, "mask": mask})
cond = torch.rand(4, 3) > 0.5
a = leaf(torch.randn(3))
b = leaf(torch.randn(4, 1))
vjp("where", torch.where(cond, a, b), {"cond": cond, "a": a, "b": b})
a = leaf(torch.randn(2, 3))
b = leaf(torch.randn(2, 3, dtype=torch.float64))
cond = torch.tensor([[True, False, True], [False, True, True]])
vjp("where_promote", torch.where(cond, a, b), {"cond": cond, "a": a, "b": b})

# ---------------------------------------------------------------- one_hot
idx = torch.tensor([[0, 2], [1, 3], [3, 0]])
T["one_hot.idx"] = idx
T["one_hot.out5"] = torch.nn.functional.one_hot(idx, 5)
T["one_hot.outInfer"] = torch.nn.functional.one_hot(idx, -1)

# ---------------------------------------------------------------- softmax / log_softmax
for fn, key in ((torch.softmax, "softmax"), (torch.log_softmax, "log_softmax")):
    base = torch.randn(3, 4, 5)
    for d in (0, 1, 2, -1, -2):
        x = leaf(base)
        vjp(f"{key}.d{d}", fn(x, d), {"x": x})
    x = leaf(torch.randn(6, 37) * 30)  # large magnitudes (stability) and a row length with a SIMD tail
    vjp(f"{key}.wide", fn(x, 1), {"x": x})
    x = leaf(torch.randn(5, 3))  # the op sees x.t(): (3, 5), softmax over the last dim
    vjp(f"{key}.t", fn(x.t(), -1), {"x": x})
    x = leaf(torch.randn(2, 3, 4, dtype=torch.float64))
    vjp(f"{key}.f64", fn(x, 1), {"x": x})
    x = leaf(torch.tensor([1000.0, 1001.0, -1000.0]))
    vjp(f"{key}.big", fn(x, 0), {"x": x})

fixtures.save({k: v for k, v in T.items()}, fixtures.fixture_path("indexing"))

# ---------------------------------------------------------------- printing
F = {}
F["mat"] = torch.tensor([[1.0, -2.5], [3.0, 4.0]])
F["ints_as_float"] = torch.tensor([1.0, 2.0, 3.0])
F["zeros"] = torch.zeros(2)
F["neg_zero"] = torch.tensor([-0.0, 1.5])
F["neg_zero_int"] = torch.tensor([-0.0, 2.0])
F["sci_big"] = torch.tensor([1e10, 1.0])
F["sci_small"] = torch.tensor([1e-5, 1.0, -0.5])
F["sci_ratio"] = torch.tensor([0.1, 200.0])
F["int_sci"] = torch.tensor([1.0, 5000.0])
F["int_big"] = torch.tensor([1.0, 999.0, -12.0])
F["nonfinite"] = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5])
F["nonfinite_int"] = torch.tensor([1.0, float("inf"), float("nan")])
F["nonfinite_sci"] = torch.tensor([1e-7, float("nan"), 3.0])
F["rounding"] = torch.tensor([0.12345, 1.00005, 2.5, 0.3333, 12.34565])
F["rounding_ties"] = torch.tensor([0.03125, 1.03125, -0.09375, 0.5])  # exact binary ties: half-even
F["rounding_sci"] = torch.tensor([1.03125e-5, 0.5, 2.5e-5])
F["f64"] = torch.randn(3, dtype=torch.float64)
F["f64_wrap"] = torch.tensor([1.2345, -2.5, 3.25, -4.0625, 5.5, -6.75, 7.125, -8.5], dtype=torch.float64)
F["int64"] = torch.tensor([[1, -20], [300, 4]])
F["bool"] = torch.tensor([[True, False], [False, True]])
F["scalar"] = torch.tensor(3.5)
F["scalar_int"] = torch.tensor(7)
F["scalar_f64"] = torch.tensor(-0.25, dtype=torch.float64)
F["scalar_bool"] = torch.tensor(True)
F["wrap1d"] = torch.randn(30)
F["wrap_int"] = torch.arange(50) * 1000003
F["cube"] = torch.randn(2, 3, 4)
F["summ2d"] = torch.randn(40, 30)
F["summ1d_int"] = torch.arange(2000)
F["summ3d"] = torch.randn(10, 2, 60)
F["summ_bool"] = torch.rand(1001) > 0.5
F["summ_sci"] = torch.cat([torch.randn(1000), torch.tensor([1e9])])
F["empty"] = torch.zeros(0)
F["empty2d"] = torch.zeros(0, 3)
F["empty_int"] = torch.zeros(0, dtype=torch.int64)
F["empty_f64"] = torch.zeros(2, 0, 3, dtype=torch.float64)
F["leaf"] = torch.randn(2, 2)           # printed with requires_grad=True
F["mul_a"] = torch.randn(2, 3)          # mul_a (requires grad) * mul_b -> grad_fn=<MulBackward0>
F["mul_b"] = torch.randn(2, 3)
F["mul_f64_a"] = torch.randn(8, dtype=torch.float64) * 10

reprs = {}
for k, v in F.items():
    reprs[k] = repr(v)
reprs["leaf"] = repr(F["leaf"].clone().requires_grad_(True))
reprs["mul"] = repr(F["mul_a"].clone().requires_grad_(True) * F["mul_b"])
reprs["mul_f64"] = repr(F["mul_f64_a"].clone().requires_grad_(True) * F["mul_f64_a"])
reprs["transposed"] = repr(F["cube"].transpose(0, 2))
fixtures.save({"fmt." + k: v for k, v in F.items()}, fixtures.fixture_path("indexing_repr"))
with open(os.path.join(fixtures.OUT_DIR, "indexing_repr.txt"), "w") as f:
    for k, s in reprs.items():
        f.write("=== " + k + "\n" + s + "\n")
print("wrote", len(T), "indexing tensors and", len(reprs), "repr cases")
