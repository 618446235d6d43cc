"""Goldens for nn layers (Linear, Embedding), losses, optimizers and LR schedulers.

Run: /usr/bin/python3 tools/golden/gen_nn.py   (writes golden/nn.safetensors and golden/optim.safetensors)
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixtures

torch.manual_seed(0)
out = {}

# ---- Linear: output and gradients for given weights
x = torch.randn(4, 5, requires_grad=True)
lin = nn.Linear(5, 3)
y = lin(x)
gy = torch.randn(4, 3)
y.backward(gy)
out.update({"linear.x": x, "linear.weight": lin.weight, "linear.bias": lin.bias, "linear.y": y, "linear.gy": gy,
            "linear.gx": x.grad, "linear.gw": lin.weight.grad, "linear.gb": lin.bias.grad})

# ---- losses: value and input gradient for each reduction
def loss_case(name, fn, inp, *rest):
    for red in ["mean", "sum", "none"]:
        i = inp.detach().clone().requires_grad_(True)
        l = fn(i, *rest, red)
        g = torch.randn_like(l) if red == "none" else torch.tensor(1.0)
        l.backward(g)
        out[f"loss.{name}.{red}.out"] = l
        out[f"loss.{name}.{red}.g"] = g
        out[f"loss.{name}.{red}.grad"] = i.grad
    out[f"loss.{name}.input"] = inp
    for k, r in enumerate(rest):
        if isinstance(r, torch.Tensor):
            out[f"loss.{name}.arg{k}"] = r

a = torch.randn(3, 4)
b = torch.randn(3, 4)
loss_case("mse", lambda i, t, r: F.mse_loss(i, t, reduction=r), a, b)
loss_case("l1", lambda i, t, r: F.l1_loss(i, t, reduction=r), a, b)
loss_case("smooth_l1", lambda i, t, r: F.smooth_l1_loss(i, t, reduction=r, beta=0.5), a, b)
loss_case("huber", lambda i, t, r: F.huber_loss(i, t, reduction=r, delta=0.7), a, b)
p = torch.rand(3, 4) * 0.9 + 0.05
tgt = torch.randint(0, 2, (3, 4)).float()
w = torch.rand(3, 4)
loss_case("bce", lambda i, t, wt, r: F.binary_cross_entropy(i, t, weight=wt, reduction=r), p, tgt, w)
pw = torch.rand(4) * 2
loss_case("bce_logits", lambda i, t, wt, pw_, r: F.binary_cross_entropy_with_logits(i, t, weight=wt, pos_weight=pw_,
          reduction=r), a * 3, tgt, w, pw)
logp = F.log_softmax(torch.randn(3, 4), dim=1)
q = F.softmax(torch.randn(3, 4), dim=1)
loss_case("kl_div", lambda i, t, r: F.kl_div(i, t, reduction=r), logp, q)
i = logp.detach().clone().requires_grad_(True)
l = F.kl_div(i, q, reduction="batchmean"); l.backward()
out["loss.kl_div.batchmean.out"] = l; out["loss.kl_div.batchmean.grad"] = i.grad
i = logp.detach().clone().requires_grad_(True)
l = F.kl_div(i, q.log(), reduction="sum", log_target=True); l.backward()
out["loss.kl_div.logtarget.out"] = l; out["loss.kl_div.logtarget.grad"] = i.grad
pos, neg = torch.randn(3, 4), torch.randn(3, 4)
loss_case("triplet", lambda i, pp, nn_, r: F.triplet_margin_loss(i, pp, nn_, margin=1.0, reduction=r), a, pos, neg)
ysign = torch.tensor([1, -1, 1])
loss_case("cosine_embedding", lambda i, x2, yy, r: F.cosine_embedding_loss(i, x2, yy, margin=0.2, reduction=r),
          a, b, ysign)

fixtures.save(out, fixtures.fixture_path("nn"))

# ---- optimizers: 10-step trajectories on a fixed quadratic-ish problem. Learning rates are kept
# moderate so float32 rounding differences (e.g. GEMM summation order) are not amplified past 1e-5.
opt_out = {}
torch.manual_seed(1)
w0 = torch.randn(3, 4)
b0 = torch.randn(4)
data = torch.randn(5, 3)
opt_out["w0"], opt_out["b0"], opt_out["data"] = w0, b0, data

def trajectory(name, make, steps=10, sched=None):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make([w, b])
    s = sched(opt) if sched else None
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((data @ w + b).tanh() ** 2).sum() + (w ** 2).sum() * 0.1
        loss.backward()
        opt.step()
        lrs.append(opt.param_groups[0]["lr"])
        if s:
            s.step()
    opt_out[f"{name}.w"] = w.detach()
    opt_out[f"{name}.b"] = b.detach()
    opt_out[f"{name}.lr"] = torch.tensor(lrs, dtype=torch.float64)

O = torch.optim
trajectory("sgd", lambda p: O.SGD(p, lr=0.1))
trajectory("sgd_momentum", lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01))
trajectory("sgd_nesterov", lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001))
trajectory("adam", lambda p: O.Adam(p, lr=0.01))
trajectory("adam_wd_amsgrad", lambda p: O.Adam(p, lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True))
trajectory("adamw", lambda p: O.AdamW(p, lr=0.01, weight_decay=0.05))
trajectory("rmsprop", lambda p: O.RMSprop(p, lr=0.01))
trajectory("rmsprop_centered_momentum", lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True,
           weight_decay=0.01))
trajectory("adagrad", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1))
S = O.lr_scheduler
trajectory("step_lr", lambda p: O.SGD(p, lr=0.1), 10, lambda o: S.StepLR(o, step_size=3, gamma=0.5))
trajectory("multistep_lr", lambda p: O.SGD(p, lr=0.1), 10, lambda o: S.MultiStepLR(o, milestones=[2, 5, 8], gamma=0.3))
trajectory("exponential_lr", lambda p: O.SGD(p, lr=0.1), 10, lambda o: S.ExponentialLR(o, gamma=0.8))
trajectory("cosine_lr", lambda p: O.SGD(p, lr=0.1), 10, lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01))
trajectory("linear_lr", lambda p: O.SGD(p, lr=0.1), 10, lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4))
trajectory("onecycle_lr", lambda p: O.SGD(p, lr=0.1, momentum=0.9), 10, lambda o: S.OneCycleLR(o, max_lr=0.2,
           total_steps=10))
trajectory("onecycle_adam", lambda p: O.Adam(p, lr=0.1), 10, lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=10))

# ReduceLROnPlateau: lr after each of a fixed metric sequence
w = torch.zeros(1, requires_grad=True)
opt = O.SGD([w], lr=1.0)
plateau = S.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1)
metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9]
lrs = []
for m in metrics:
    plateau.step(m)
    lrs.append(opt.param_groups[0]["lr"])
opt_out["plateau.metrics"] = torch.tensor(metrics, dtype=torch.float64)
opt_out["plateau.lr"] = torch.tensor(lrs, dtype=torch.float64)

# clip_grad_norm_
g1, g2 = torch.randn(3, 4), torch.randn(4)
for name, norm_type in [("2", 2.0), ("inf", math.inf), ("1", 1.0)]:
    p1 = torch.zeros(3, 4, requires_grad=True); p2 = torch.zeros(4, requires_grad=True)
    p1.grad, p2.grad = g1.clone(), g2.clone()
    total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm=0.5, norm_type=norm_type)
    opt_out[f"clip.{name}.total"] = total.reshape(1).double()
    opt_out[f"clip.{name}.g1"], opt_out[f"clip.{name}.g2"] = p1.grad, p2.grad
opt_out["clip.g1"], opt_out["clip.g2"] = g1, g2

fixtures.save(opt_out, fixtures.fixture_path("optim"))
print("wrote nn and optim fixtures")
