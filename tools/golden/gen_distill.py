"""Goldens for the knowledge-distillation loss (Hinton): the usual PyTorch formula.

Run: cd tools/golden && /usr/bin/python3 gen_distill.py   (writes golden/distill.safetensors)
loss = alpha * T^2 * F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean")
       + (1 - alpha) * F.cross_entropy(s, labels)
Cases <T>_<alpha>: .s, .t (logits), .y (labels), .loss, .grad (d loss / d s).
"""
import torch
import torch.nn.functional as F

import fixtures

torch.manual_seed(0)
out = {}
for T, alpha in [(1.0, 0.5), (4.0, 0.9), (2.5, 0.0), (3.0, 1.0)]:
    name = f"{T}_{alpha}"
    s = (torch.randn(6, 10) * 3).requires_grad_()
    t = torch.randn(6, 10) * 3
    y = torch.randint(0, 10, (6,))
    loss = alpha * T * T * F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") \
        + (1 - alpha) * F.cross_entropy(s, y)
    loss.backward()
    out[f"{name}.s"] = s.detach()
    out[f"{name}.t"] = t
    out[f"{name}.y"] = y
    out[f"{name}.loss"] = loss.detach()
    out[f"{name}.grad"] = s.grad
fixtures.save(out, fixtures.OUT_DIR + "/distill.safetensors",
              {"generator": "tools/golden/gen_distill.py", "torch": torch.__version__})
print("wrote distill.safetensors:", len(out), "tensors")
