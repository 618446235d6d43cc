"""Golden fixtures for pooling, normalization and cross-entropy (torchlet-core PoolingTest,
NormalizationTest, LossesTest). Run with /usr/bin/python3 (PyTorch 1.13).

For every case: inputs, output(s), and gradients of sum(out * gy) (gy saved) or of the scalar loss.
"""
import torch
import torch.nn.functional as F

import fixtures

torch.manual_seed(0)
out = {}


def grad_of(y, inputs, name):
    """Backward of sum(y * gy) with a random gy (saved as name/gy) or of y itself when scalar."""
    if y.dim() == 0:
        y.backward()
    else:
        gy = torch.randn_like(y)
        out[name + "/gy"] = gy
        y.backward(gy)
    for k, t in inputs.items():
        out[name + "/grad_" + k] = t.grad.clone()


# ------------------------------------------------------------------ pooling

def max_pool2d_case(name, shape, k, s, p, d, ceil):
    x = torch.randn(*shape, requires_grad=True)
    y, idx = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil, return_indices=True)
    out[name + "/x"] = x.detach()
    out[name + "/out"] = y.detach()
    out[name + "/indices"] = idx
    grad_of(y, {"x": x}, name)


max_pool2d_case("maxpool2d_odd", (2, 3, 7, 9), (3, 2), (2, 1), (1, 0), (1, 2), True)
max_pool2d_case("maxpool2d_resnet", (2, 4, 9, 9), 3, 2, 1, 1, False)
max_pool2d_case("maxpool2d_2", (2, 3, 8, 7), 2, 2, 0, 1, False)
max_pool2d_case("maxpool2d_unbatched", (3, 6, 5), 2, 1, 1, 1, True)

x = torch.randn(2, 3, 11, requires_grad=True)
y, idx = F.max_pool1d(x, 3, 2, 1, 2, ceil_mode=True, return_indices=True)
out["maxpool1d/x"] = x.detach()
out["maxpool1d/out"] = y.detach()
out["maxpool1d/indices"] = idx
grad_of(y, {"x": x}, "maxpool1d")

for name, include in (("avgpool2d_incl", True), ("avgpool2d_excl", False)):
    x = torch.randn(2, 3, 7, 8, requires_grad=True)
    y = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=include)
    out[name + "/x"] = x.detach()
    out[name + "/out"] = y.detach()
    grad_of(y, {"x": x}, name)

x = torch.randn(2, 3, 6, 6, requires_grad=True)
y = F.avg_pool2d(x, (2, 3), (1, 2), (1, 0))
out["avgpool2d_rect/x"] = x.detach()
out["avgpool2d_rect/out"] = y.detach()
grad_of(y, {"x": x}, "avgpool2d_rect")

for name, shape, size in (("adaptiveavg", (2, 3, 7, 10), (3, 4)), ("adaptiveavg_1x1", (2, 5, 7, 7), (1, 1)),
                          ("adaptiveavg_up", (1, 2, 3, 5), (4, 7))):
    x = torch.randn(*shape, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, size)
    out[name + "/x"] = x.detach()
    out[name + "/out"] = y.detach()
    grad_of(y, {"x": x}, name)

x = torch.randn(2, 3, 7, 10, requires_grad=True)
y, idx = F.adaptive_max_pool2d(x, (3, 4), return_indices=True)
out["adaptivemax/x"] = x.detach()
out["adaptivemax/out"] = y.detach()
out["adaptivemax/indices"] = idx
grad_of(y, {"x": x}, "adaptivemax")

# ------------------------------------------------------------------ normalization

def bn_case(name, shape, training, affine=True, momentum=0.1, eps=1e-5):
    c = shape[1]
    x = (torch.randn(*shape) * 2 + 0.5).requires_grad_(True)
    rm = torch.randn(c)
    rv = torch.rand(c) + 0.5
    out[name + "/x"] = x.detach()
    out[name + "/running_mean"] = rm.clone()
    out[name + "/running_var"] = rv.clone()
    inputs = {"x": x}
    w = b = None
    if affine:
        w = torch.randn(c, requires_grad=True)
        b = torch.randn(c, requires_grad=True)
        out[name + "/weight"] = w.detach()
        out[name + "/bias"] = b.detach()
        inputs.update(weight=w, bias=b)
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=momentum, eps=eps)
    out[name + "/out"] = y.detach()
    out[name + "/running_mean_after"] = rm
    out[name + "/running_var_after"] = rv
    grad_of(y, inputs, name)


bn_case("bn2d_train", (4, 3, 5, 6), True)
bn_case("bn2d_eval", (4, 3, 5, 6), False)
bn_case("bn1d_train", (8, 5), True)
bn_case("bn1d_l_train", (4, 5, 7), True, affine=False, momentum=0.3)
bn_case("bn1d_eval", (6, 5), False)

x = torch.randn(3, 4, 5, requires_grad=True)
w = torch.randn(4, 5, requires_grad=True)
b = torch.randn(4, 5, requires_grad=True)
y = F.layer_norm(x, (4, 5), w, b, 1e-5)
out.update({"ln/x": x.detach(), "ln/weight": w.detach(), "ln/bias": b.detach(), "ln/out": y.detach()})
grad_of(y, {"x": x, "weight": w, "bias": b}, "ln")

x = (torch.randn(2, 3, 33) * 3 + 1).requires_grad_(True)
y = F.layer_norm(x, (33,), None, None, 1e-5)
out.update({"ln_noaffine/x": x.detach(), "ln_noaffine/out": y.detach()})
grad_of(y, {"x": x}, "ln_noaffine")

x = torch.randn(2, 6, 4, 5, requires_grad=True)
w = torch.randn(6, requires_grad=True)
b = torch.randn(6, requires_grad=True)
y = F.group_norm(x, 3, w, b, 1e-5)
out.update({"gn/x": x.detach(), "gn/weight": w.detach(), "gn/bias": b.detach(), "gn/out": y.detach()})
grad_of(y, {"x": x, "weight": w, "bias": b}, "gn")

# ------------------------------------------------------------------ losses

def ce_case(name, logits_shape, c, weight, ignore, smoothing, reduction, ignore_some=True):
    x = torch.randn(*logits_shape, requires_grad=True)
    tshape = (logits_shape[0],) + tuple(logits_shape[2:])
    t = torch.randint(0, c, tshape)
    if ignore_some:
        t.view(-1)[1] = ignore
    out[name + "/x"] = x.detach()
    out[name + "/target"] = t
    wt = None
    if weight:
        wt = torch.rand(c) + 0.2
        out[name + "/weight"] = wt
    y = F.cross_entropy(x, t, weight=wt, ignore_index=ignore, reduction=reduction, label_smoothing=smoothing)
    out[name + "/out"] = y.detach()
    grad_of(y, {"x": x}, name)


for red in ("mean", "sum", "none"):
    ce_case("ce_w_ls_" + red, (6, 10), 10, True, 3, 0.1, red)
    ce_case("ce_ls_" + red, (6, 10), 10, False, -100, 0.2, red)
ce_case("ce_plain", (64, 10), 10, False, -100, 0.0, "mean", ignore_some=False)
ce_case("ce_w_ignore", (7, 33), 33, True, -100, 0.0, "mean")
ce_case("ce_spatial", (2, 5, 3, 4), 5, True, -100, 0.1, "mean")
ce_case("ce_spatial_none", (2, 5, 3), 5, False, 2, 0.0, "none")

for red in ("mean", "none"):
    name = "ce_prob_" + red
    x = torch.randn(5, 7, requires_grad=True)
    p = torch.softmax(torch.randn(5, 7), 1).requires_grad_(True)
    wt = torch.rand(7) + 0.2
    y = F.cross_entropy(x, p, weight=wt, reduction=red, label_smoothing=0.15)
    out.update({name + "/x": x.detach(), name + "/target": p.detach(), name + "/weight": wt, name + "/out": y.detach()})
    grad_of(y, {"x": x, "target": p}, name)

for red in ("mean", "sum", "none"):
    name = "nll_" + red
    x = torch.log_softmax(torch.randn(6, 5), 1).requires_grad_(True)
    t = torch.randint(0, 5, (6,))
    t[2] = 4
    wt = torch.rand(5) + 0.2
    y = F.nll_loss(x, t, weight=wt, ignore_index=4, reduction=red)
    out.update({name + "/x": x.detach(), name + "/target": t, name + "/weight": wt, name + "/out": y.detach()})
    grad_of(y, {"x": x}, name)

fixtures.save(out, fixtures.fixture_path("poolnorm"))
print(len(out), "tensors")
