"""PyTorch goldens for Torchlet's tensor core: elementwise ops, reductions, matmul, views, joining,
creation and a few autograd graphs. Writes torchlet-core/src/test/resources/golden/ops.safetensors.

Every case is a named function of some input tensors. For case NAME the fixture holds
  NAME/in{i}    the inputs (float inputs get requires_grad)
  NAME/out{j}   the outputs (one per returned tensor, in order)
  NAME/gout{j}  a random gradient for each differentiable output
  NAME/grad{i}  d(sum_j out_j * gout_j) / d in_i for every float input
The Java tests (dev.torchlet.ops.*GoldenTest, dev.torchlet.autograd.AutogradTest) hold a lambda with
the same NAME doing the same thing, and check that both sides list exactly the same cases.
Non-contiguous inputs are made inside the functions (x.t(), x[:, ::2], ...), so the Java side builds
the same views.

Run with /usr/bin/python3 (PyTorch 1.13).
"""
import math

import torch

import fixtures

torch.manual_seed(0)
T = {}


def case(name, fn, *inputs, grad=True):
    """Records inputs, outputs and (if grad) input gradients of fn(*inputs) under NAME/."""
    assert not any(k.startswith(name + "/") for k in T), "duplicate case " + name
    xs = []
    for i, x in enumerate(inputs):
        T[f"{name}/in{i}"] = x.clone()
        x = x.clone()
        if grad and x.is_floating_point():
            x.requires_grad_(True)
        xs.append(x)
    out = fn(*xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    diff_outs, gouts = [], []
    for j, o in enumerate(outs):
        T[f"{name}/out{j}"] = o.detach().clone()
        if grad and o.requires_grad:
            g = torch.randn_like(o)
            T[f"{name}/gout{j}"] = g
            diff_outs.append(o)
            gouts.append(g)
    if diff_outs:
        torch.autograd.backward(diff_outs, gouts)
        for i, x in enumerate(xs):
            if x.requires_grad:
                T[f"{name}/grad{i}"] = x.grad if x.grad is not None else torch.zeros_like(x)


def U(*shape, lo=-2.0, hi=2.0):
    """Uniform float32 in [lo, hi)."""
    return torch.rand(*shape) * (hi - lo) + lo


def P(*shape):
    """Positive float32 in [0.5, 2)."""
    return U(*shape, lo=0.5, hi=2.0)


def F(*values):
    return torch.tensor(values, dtype=torch.float32)


# ------------------------------------------------------------------------------------- elementwise
case("ew.add", lambda a, b: a + b, U(3, 4), U(3, 4))
case("ew.add_bcast", lambda a, b: a + b, U(2, 3, 1), U(1, 4))
case("ew.add_nc", lambda a, b: a.t() + b[:, ::2], U(4, 3), U(3, 8))
case("ew.add_scalar", lambda a: a + 1.5, U(3, 4))
case("ew.add_alpha", lambda a, b: torch.add(a, b, alpha=-2.5), U(3, 4), U(4))
case("ew.add_int", lambda a, b: a + b, torch.randint(-5, 5, (3, 4)), torch.randint(-5, 5, (4,)))
case("ew.sub", lambda a, b: a - b, U(3, 4), U(3, 4))
case("ew.sub_bcast", lambda a, b: a - b, U(3, 1), U(1, 4))
case("ew.sub_scalar", lambda a: a - 0.5, U(5))
case("ew.mul", lambda a, b: a * b, U(3, 4), U(3, 4))
case("ew.mul_bcast", lambda a, b: a * b, U(2, 1, 4), U(3, 1))
case("ew.mul_nc", lambda a, b: a.t() * b[::2], U(4, 3), U(6, 4))
case("ew.mul_scalar", lambda a: a * -3.0, U(2, 3))
case("ew.mul_self", lambda a: a * a, U(2, 3))
case("ew.div", lambda a, b: a / b, U(3, 4), P(3, 4))
case("ew.div_bcast", lambda a, b: a / b, U(4, 1), P(3))
case("ew.div_scalar", lambda a: a / 4.0, U(2, 3))
case("ew.div_int", lambda a, b: a / b, torch.randint(-9, 9, (3, 4)), torch.randint(1, 5, (4,)))
case("ew.pow_scalar", lambda a: a ** 2.5, P(3, 4))
case("ew.pow_scalar_int", lambda a: a ** 3, U(3, 4))
case("ew.pow_scalar_neg", lambda a: a ** -1.5, P(3, 4))
case("ew.pow_zero", lambda a: a ** 0, U(5))
# the exponents PyTorch's pow kernel computes without pow(): 2 (x*x), 3, 1, 0.5 (sqrt), -0.5, -1, -2
case("ew.pow_square", lambda a: a ** 2, U(4, 33))
case("ew.pow_square_strided", lambda a: a.t() ** 2, U(5, 7))
case("ew.pow_one", lambda a: a ** 1, U(3, 5))
case("ew.pow_sqrt", lambda a: a ** 0.5, P(4, 33))
case("ew.pow_rsqrt", lambda a: a ** -0.5, P(3, 5))
case("ew.pow_reciprocal", lambda a: a ** -1, P(3, 5))
case("ew.pow_inverse_square", lambda a: a ** -2, P(3, 5))
case("ew.pow_tensor", lambda a, b: a ** b, P(3, 4), U(3, 4))
case("ew.pow_tensor_bcast", lambda a, b: a ** b, P(3, 1), U(4))
# base 0: d/da masked where b == 0; d/db masked where a == 0 and b >= 0 (PyTorch's rule)
case("ew.pow_tensor_zero_base_kink", lambda a, b: a ** b, F(0, 0, 1, 2, 0), F(0, 2, 3, 1.5, 1))
case("ew.neg", lambda a: -a, U(3, 4))
case("ew.exp", lambda a: a.exp(), U(3, 4))
case("ew.exp_nc", lambda a: a.t().exp(), U(4, 3))
case("ew.log", lambda a: a.log(), P(3, 4))
case("ew.sqrt", lambda a: a.sqrt(), P(3, 4))
case("ew.rsqrt", lambda a: a.rsqrt(), P(3, 4))
case("ew.abs", lambda a: a.abs(), U(3, 4))
case("ew.abs_zero_kink", lambda a: a.abs(), F(-1, 0, 2))
case("ew.sign_with_zero_kink", lambda a: a.sign(), torch.cat([U(6), F(0)]))
case("ew.sin", lambda a: a.sin(), U(3, 4, lo=-4, hi=4))
case("ew.sin_nc", lambda a: a[:, ::2].sin(), U(3, 8, lo=-4, hi=4))
case("ew.cos", lambda a: a.cos(), U(3, 4, lo=-4, hi=4))
case("ew.clamp", lambda a: a.clamp(-0.5, 0.7), U(12))
case("ew.clamp_bounds_kink", lambda a: a.clamp(-0.5, 0.7), F(-0.5, 0.7, -1, 1, 0))
case("ew.clamp_min", lambda a: a.clamp(min=-0.3), U(3, 4))
case("ew.clamp_max", lambda a: a.clamp(max=0.2), U(3, 4))
case("ew.sigmoid", lambda a: a.sigmoid(), U(3, 4, lo=-6, hi=6))
case("ew.tanh", lambda a: a.tanh(), U(3, 4, lo=-3, hi=3))
case("ew.relu", lambda a: a.relu(), U(3, 4))
case("ew.relu_zero_kink", lambda a: a.relu(), F(-1, 0, 1))
case("ew.leaky_relu", lambda a: torch.nn.functional.leaky_relu(a, 0.1), U(3, 4))
case("ew.elu", lambda a: torch.nn.functional.elu(a, 1.0), U(3, 4, lo=-4, hi=2))
case("ew.elu_alpha", lambda a: torch.nn.functional.elu(a, 0.5), U(3, 4, lo=-4, hi=2))
case("ew.gelu", lambda a: torch.nn.functional.gelu(a), torch.cat([U(20, lo=-6, hi=6), F(0, 1e-4, -1e-4, 0.5, -3.5)]))
case("ew.gelu_tanh", lambda a: torch.nn.functional.gelu(a, approximate="tanh"), U(20, lo=-6, hi=6))
case("ew.silu", lambda a: torch.nn.functional.silu(a), U(3, 4, lo=-6, hi=6))
case("ew.softplus", lambda a: torch.nn.functional.softplus(a), U(3, 4, lo=-6, hi=6))
case("ew.softplus_beta", lambda a: torch.nn.functional.softplus(a, beta=2.0, threshold=1.0), U(3, 4, lo=-2, hi=2))
case("ew.maximum", lambda a, b: torch.maximum(a, b), U(3, 4), U(3, 4))
case("ew.maximum_ties_kink", lambda a, b: torch.maximum(a, b), F(1, 2, 3, -1), F(1, 0, 3, 2))
case("ew.maximum_bcast", lambda a, b: torch.maximum(a, b), U(3, 1), U(4))
case("ew.minimum", lambda a, b: torch.minimum(a, b), U(3, 4), U(3, 4))
case("ew.minimum_ties_kink", lambda a, b: torch.minimum(a, b), F(1, 2, 3, -1), F(1, 0, 3, 2))

cmp_a = torch.tensor([[1.0, 2, 3, 4], [4, 3, 2, 1], [0, 2, 2, 5]])
cmp_b = torch.tensor([1.0, 3, 2, 4])
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    case(f"ew.{op}", lambda a, b, op=op: getattr(a, op)(b), cmp_a, cmp_b, grad=False)
    case(f"ew.{op}_scalar", lambda a, op=op: getattr(a, op)(2.0), cmp_a, grad=False)
case("ew.lt_int", lambda a, b: a < b, torch.randint(-3, 3, (3, 4)), torch.randint(-3, 3, (4,)), grad=False)

# Erf itself, in float64 (exact GELU relies on it)
erf_x = torch.cat([torch.linspace(-6, 6, 121, dtype=torch.float64),
                   torch.tensor([1e-12, -1e-9, 1e-6, 3e-4, 0.01, 0.1, 0.4999, 0.5, 0.84, 2.5, 3.9, 4.1, 27.0],
                                dtype=torch.float64)])
T["erf/x"] = erf_x
T["erf/y"] = torch.erf(erf_x)

# ------------------------------------------------------------------------------------- reductions
case("red.sum_all", lambda a: a.sum(), U(3, 4, 5))
case("red.sum_dim", lambda a: a.sum(1), U(3, 4, 5))
case("red.sum_keep_neg", lambda a: a.sum(-1, keepdim=True), U(3, 4, 5))
case("red.sum_dims", lambda a: a.sum((0, 2)), U(3, 4, 5))
case("red.sum_dims_neg_keep", lambda a: a.sum((-1, -3), keepdim=True), U(3, 4, 5))
case("red.sum_nc", lambda a: a.t().sum(0), U(4, 3))
case("red.sum_int", lambda a: a.sum(0), torch.randint(-5, 5, (3, 4)), grad=False)
case("red.mean_all", lambda a: a.mean(), U(3, 4))
case("red.mean_dim_keep", lambda a: a.mean(-2, keepdim=True), U(3, 4, 5))
case("red.mean_dims", lambda a: a.mean((0, 1)), U(3, 4, 5))
case("red.var_all", lambda a: a.var(), U(3, 4))
case("red.var_c0", lambda a: torch.var(a, 0, unbiased=False), U(3, 4))
case("red.var_dims_keep", lambda a: torch.var(a, (0, 2), unbiased=True, keepdim=True), U(3, 4, 5))
case("red.std_all", lambda a: a.std(), U(3, 4))
case("red.std_c0_neg", lambda a: torch.std(a, -1, unbiased=False), U(3, 4))
case("red.std_c1_keep", lambda a: torch.std(a, 1, unbiased=True, keepdim=True), U(3, 4))
case("red.std_constant_row_kink", lambda a: torch.std(a, 1), torch.tensor([[2.0, 2, 2], [1, 2, 4]]))
case("red.max_all", lambda a: a.max(), U(3, 4))
case("red.max_all_ties_kink", lambda a: a.max(), F(1, 3, 3, 0))
case("red.min_all", lambda a: a.min(), U(3, 4))
case("red.min_all_ties_kink", lambda a: a.min(), F(1, -3, 2, -3))
case("red.max_dim", lambda a: tuple(a.max(1)), U(3, 4, 5))
case("red.max_dim_keep", lambda a: tuple(a.max(-1, keepdim=True)), U(3, 4))
case("red.max_dim_ties_kink", lambda a: tuple(a.max(1)), torch.tensor([[1.0, 3, 3, 0], [2, 2, 1, 2]]))
case("red.max_dim_nc", lambda a: tuple(a.t().max(0)), U(4, 3))
case("red.min_dim", lambda a: tuple(a.min(0)), U(3, 4))
case("red.min_dim_keep", lambda a: tuple(a.min(-2, keepdim=True)), U(2, 3, 4))
case("red.argmax_all", lambda a: a.argmax(), U(3, 4), grad=False)
case("red.argmax_dim", lambda a: a.argmax(1), U(3, 4, 5), grad=False)
case("red.argmax_keep", lambda a: a.argmax(-1, keepdim=True), U(3, 4), grad=False)
case("red.argmin_all", lambda a: a.argmin(), U(3, 4), grad=False)
case("red.argmin_dim", lambda a: a.argmin(0), U(3, 4), grad=False)
case("red.argmax_int", lambda a: a.argmax(1), torch.randint(0, 100, (3, 7)), grad=False)
case("red.logsumexp", lambda a: a.logsumexp(1), U(3, 4, 5))
case("red.logsumexp_keep", lambda a: a.logsumexp(-1, keepdim=True), U(3, 4))
case("red.logsumexp_large", lambda a: a.logsumexp(1), U(3, 4, lo=80, hi=120))
case("red.logsumexp_neginf", lambda a: a.logsumexp(1),
     torch.tensor([[-math.inf, -math.inf], [0.0, -math.inf]]), grad=False)
case("red.prod_all", lambda a: a.prod(), U(2, 3))
case("red.prod_dim", lambda a: a.prod(1), U(3, 4))
case("red.prod_dim_keep", lambda a: a.prod(0, keepdim=True), U(3, 4))
case("red.prod_zero", lambda a: a.prod(), F(2, 0, 3, -1.5))
case("red.prod_zero_dim", lambda a: a.prod(1), torch.tensor([[2.0, 0, 3], [1, 2, 3], [0, 4, 0]]))
case("red.norm2", lambda a: a.norm(), U(3, 4))
case("red.norm1", lambda a: a.norm(1), U(3, 4))
case("red.norm_inf", lambda a: a.norm(math.inf), U(3, 4))
case("red.norm_inf_ties_kink", lambda a: a.norm(math.inf), F(1, -3, 3, 0))
case("red.norm3", lambda a: a.norm(3), U(3, 4))
case("red.norm2_dim", lambda a: a.norm(2, 1), U(3, 4))
case("red.norm1_dim_keep", lambda a: a.norm(1, 0, keepdim=True), U(3, 4))
case("red.norm_inf_dim", lambda a: a.norm(math.inf, -1), U(3, 4))
case("red.norm_inf_dim_ties_kink", lambda a: a.norm(math.inf, 1), torch.tensor([[1.0, -3, 3, 0], [2, 2, 1, -2]]))
case("red.norm3_dim_keep", lambda a: a.norm(3, 1, keepdim=True), U(3, 4))
case("red.norm2_zero_kink", lambda a: a.norm(), torch.zeros(3))
case("red.norm2_dim_zero_row_kink", lambda a: a.norm(2, 1), torch.tensor([[0.0, 0], [3, 4]]))
case("red.norm3_zero_row_kink", lambda a: a.norm(3, 1), torch.tensor([[0.0, 0], [3, 4]]))

# ------------------------------------------------------------------------------------- matmul
case("mm.dot", lambda a, b: a @ b, U(5), U(5))
case("mm.vm", lambda a, b: a @ b, U(4), U(4, 3))
case("mm.mv", lambda a, b: a @ b, U(3, 4), U(4))
case("mm.mm", lambda a, b: a @ b, U(3, 4), U(4, 5))
case("mm.bmm", lambda a, b: a @ b, U(2, 3, 4), U(2, 4, 5))
case("mm.bcast", lambda a, b: a @ b, U(2, 1, 3, 4), U(5, 4, 2))
case("mm.batched_mv", lambda a, b: a @ b, U(2, 3, 4), U(4))
case("mm.vec_batched", lambda a, b: a @ b, U(4), U(2, 4, 3))
case("mm.batched_2d", lambda a, b: a @ b, U(2, 3, 4), U(4, 2))
case("mm.tA", lambda a, b: a.t() @ b, U(4, 3), U(4, 5))
case("mm.tB", lambda a, b: a @ b.t(), U(3, 4), U(5, 4))
case("mm.tAB", lambda a, b: a.t() @ b.t(), U(4, 3), U(5, 4))
case("mm.bmm_transposed", lambda a, b: a.transpose(1, 2) @ b.transpose(-1, -2), U(2, 4, 3), U(2, 5, 4))
case("mm.sliced", lambda a, b: a[:, ::2] @ b[1:], U(3, 8), U(5, 2))
case("mm.expanded", lambda a, b: a.expand(2, 3, 4) @ b, U(1, 3, 4), U(2, 4, 2))
case("mm.permuted", lambda a, b: a.permute(1, 0, 2) @ b, U(3, 2, 4), U(4, 3))

# ------------------------------------------------------------------------------------- views
case("view.view", lambda a: a.view(6, 4), U(2, 3, 4))
case("view.view_infer", lambda a: a.view(2, -1), U(2, 3, 4))
case("view.view_flat", lambda a: a.view(-1), U(2, 3, 4))
case("view.view_of_rows", lambda a: a[1:3].view(12), U(4, 6))
case("view.reshape", lambda a: a.reshape(4, 6), U(2, 3, 4))
case("view.reshape_nc", lambda a: a.t().reshape(12), U(3, 4))
case("view.reshape_nc_infer", lambda a: a.transpose(0, 2).reshape(-1, 2), U(2, 3, 4))
case("view.transpose", lambda a: a.transpose(0, 2), U(2, 3, 4))
case("view.permute", lambda a: a.permute(2, 0, 1), U(2, 3, 4))
case("view.permute_neg", lambda a: a.permute(-1, -3, -2), U(2, 3, 4))
case("view.t", lambda a: a.t(), U(3, 4))
case("view.t_1d", lambda a: a.t(), U(3))
case("view.expand", lambda a: a.expand(3, 4), U(3, 1))
case("view.expand_lead", lambda a: a.expand(2, 3, 4), U(3, 1))
case("view.expand_keep", lambda a: a.expand(-1, 5, -1), U(2, 1, 3))
case("view.broadcast_to", lambda a: torch.broadcast_to(a, (2, 4, 3)), U(3))
case("view.narrow", lambda a: a.narrow(1, 1, 2), U(3, 4))
case("view.narrow_neg", lambda a: a.narrow(0, -2, 2), U(3, 4))
case("view.slice_step", lambda a: a[:, 1:6:2], U(5, 6))
case("view.slice_neg", lambda a: a[-3:], U(5, 6))
case("view.slice_neg_step", lambda a: a[-4:-1:2], U(5, 6))
case("view.slice_clamped", lambda a: a[:, 2:100], U(5, 6))
case("view.select", lambda a: a.select(1, 2), U(3, 4))
case("view.select_neg", lambda a: a.select(0, -1), U(3, 4))
case("view.squeeze", lambda a: a.squeeze(), U(1, 3, 1, 2))
case("view.squeeze_dim", lambda a: a.squeeze(2), U(1, 3, 1, 2))
case("view.squeeze_noop", lambda a: a.squeeze(1), U(1, 3, 1, 2))
case("view.unsqueeze", lambda a: a.unsqueeze(1), U(3, 2))
case("view.unsqueeze_neg", lambda a: a.unsqueeze(-1), U(3, 2))
case("view.flatten", lambda a: a.flatten(1), U(2, 3, 4))
case("view.flatten_range", lambda a: a.flatten(0, 1), U(2, 3, 4))
case("view.flatten_all", lambda a: a.flatten(), U(2, 3, 4))
case("view.contiguous", lambda a: a.t().contiguous(), U(3, 4))
case("view.chain", lambda a: a.t()[1:, ::2].reshape(-1), U(4, 5))
case("view.chain_grad", lambda a: (a.t()[1:, ::2] * 2.0).sum(0), U(4, 5))

# ------------------------------------------------------------------------------------- joining
case("join.cat0", lambda a, b: torch.cat([a, b], 0), U(2, 3), U(1, 3))
case("join.cat1", lambda a, b, c: torch.cat([a, b, c], 1), U(2, 3), U(2, 1), U(2, 2))
case("join.cat_neg", lambda a, b: torch.cat([a, b], -1), U(2, 2, 3), U(2, 2, 1))
case("join.cat_nc", lambda a, b: torch.cat([a.t(), b[:, ::2]], 0), U(3, 2), U(2, 6))
case("join.cat_int", lambda a, b: torch.cat([a, b], 0), torch.randint(0, 9, (2, 3)), torch.randint(0, 9, (1, 3)),
     grad=False)
case("join.stack0", lambda a, b: torch.stack([a, b], 0), U(2, 3), U(2, 3))
case("join.stack1", lambda a, b, c: torch.stack([a, b, c], 1), U(2, 3), U(2, 3), U(2, 3))
case("join.stack_neg", lambda a, b: torch.stack([a, b], -1), U(2, 3), U(2, 3))
case("join.split", lambda a: a.split(2, 1), U(3, 5))
case("join.split_sizes", lambda a: a.split([1, 3, 2], 0), U(6, 2))
case("join.chunk", lambda a: a.chunk(3, 0), U(7, 2))
case("join.chunk_fewer", lambda a: a.chunk(4, 1), U(2, 6))

# ------------------------------------------------------------------------------------- creation
case("create.zeros", lambda: torch.zeros(2, 3))
case("create.ones", lambda: torch.ones(3, 2))
case("create.full", lambda: torch.full((2, 3), 2.5))
case("create.arange_n", lambda: torch.arange(5))
case("create.arange_step", lambda: torch.arange(1, 10, 3))
case("create.arange_neg_step", lambda: torch.arange(5, -4, -2))
case("create.arange_float", lambda: torch.arange(0, 1, 0.1))
case("create.arange_float_neg", lambda: torch.arange(1.0, -1.0, -0.25))
case("create.linspace", lambda: torch.linspace(0, 1, 5))
case("create.linspace_odd", lambda: torch.linspace(-2, 3, 7))
case("create.linspace_one", lambda: torch.linspace(3, 4, 1))
case("create.linspace_long", lambda: torch.linspace(-1, 1.7, 101))
case("create.eye", lambda: torch.eye(3))
case("create.eye_rect", lambda: torch.eye(2, 4))

# ------------------------------------------------------------------------------------- autograd graphs
case("ag.diamond", lambda x: (x.exp() * x.sin()) + x.exp().sqrt(), U(3, 4))
case("ag.used_twice", lambda x, w: (x @ w) @ w, U(2, 3), U(3, 3))
case("ag.views_in_graph", lambda x: (x.t().reshape(-1)[::2] * x.view(-1)[1::2]).sum(), U(3, 4))
case("ag.to_float64", lambda x: (x.double() * 3.0).exp().sum(), U(2, 3, hi=0.5))
case("ag.mixed_chain", lambda x, w, b: (x @ w + b).relu().pow(2).mean(0), U(4, 3), U(3, 2), U(2))
case("ew.erf", lambda a: a.erf(), U(3, 4, lo=-3, hi=3))
# 35 values: whole vectors and a tail for the float32 leaky ReLU kernels (16 or 8 lanes); then zeros at the kink
case("ew.leaky_relu_long", lambda a: torch.nn.functional.leaky_relu(a, 0.2), U(5, 7))
case("ew.leaky_relu_long_zero_kink", lambda a: torch.nn.functional.leaky_relu(a, 0.2),
     torch.cat([U(31), F(0.0, -0.0, 0.0, -0.0)]).reshape(5, 7))

fixtures.save(T, fixtures.fixture_path("ops"), {"generator": "tools/golden/gen_ops.py",
                                               "torch": torch.__version__})
print(f"wrote {len(T)} tensors to {fixtures.fixture_path('ops')}")
