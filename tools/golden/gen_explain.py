"""Golden values for torchlet-vision's explanations (Grad-CAM, saliency, integrated gradients) on a small
CNN: writes torchlet-vision/src/test/resources/golden/vision_explain.safetensors with the model's state dict
("model.<key>"), the input, the target classes and the PyTorch-computed maps. Formulas as in
GradCam.java / Attribution.java."""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixtures import save
from vision_parity import VISION_GOLDEN


def model():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4))


def main():
    torch.manual_seed(0)
    m = model().eval()
    x = torch.randn(2, 3, 12, 12)
    target = torch.tensor([1, 3])

    # Grad-CAM on layer "3" (the second ReLU): (B, 16, 6, 6)
    acts = {}
    h = m[3].register_forward_hook(lambda mod, i, o: acts.__setitem__("a", o))
    logits = m(x)
    h.remove()
    a = acts["a"]
    grad, = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), a)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((a * alpha).sum(1))
    up = F.interpolate(cam[:, None], size=(12, 12), mode="bilinear", align_corners=False)[:, 0]
    flat = up.reshape(2, -1)
    mn, mx = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    heat = ((flat - mn) / (mx - mn)).reshape(up.shape)

    xs = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(m(xs).gather(1, target[:, None]).sum(), xs)
    saliency = g.abs().amax(1)

    steps = 16
    total = torch.zeros_like(x)
    for k in range(1, steps + 1):
        p = (x * (k / steps)).requires_grad_(True)
        gk, = torch.autograd.grad(m(p).gather(1, target[:, None]).sum(), p)
        total += gk
    ig = x * total / steps

    out = {"model." + k: v for k, v in m.state_dict().items()}
    out.update({"input": x, "target": target, "cam": cam.detach(), "heat": heat.detach(),
                "saliency": saliency, "ig": ig})
    path = os.path.join(VISION_GOLDEN, "vision_explain.safetensors")
    save(out, path, metadata={"layer": "3", "ig_steps": steps})
    print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    main()
