"""Helpers of the zoo's family fixture scripts (gen_vision_resnet.py, gen_vision_vgg.py).

layout / write_state_dicts: the expected state-dict layout of a family's models for the Java tests, one text
file per family, torchlet-vision/src/test/resources/golden/vision_<family>_state_dict.txt:

    # resnet18 10
    conv1.weight float32 64,3,7,7
    bn1.num_batches_tracked int64
    ...

a "# <model> <num_classes>" line starts each model; then one line per state-dict entry in order:
key, dtype, shape (comma-separated, empty for a scalar).

check_train_conditioning: the parity check compares batch-norm running statistics after one train-mode
forward at 1e-4. Deep in a network, with few values per channel (a 2x2 map, batch 2), train-mode batch
norm amplifies float32 rounding so much that PyTorch's own float32 result differs from float64 by more
than that (ResNet-50 at 64x64: 8e-7 at layer1, 2e-5 at layer3, 8e-4 at layer4.2.bn3). So the scripts only
save statistics of layers where float32 agrees with float64 to 1e-5, and this function checks it.
"""
import copy
import os

import torch

from vision_parity import VISION_GOLDEN, fill_procedural

CONDITIONING_LIMIT = 1e-5


def layout(name, model, num_classes):
    """The lines of one model (call it before the model is dropped: VGGs are 500 MB each)."""
    lines = ["# %s %d" % (name, num_classes)]
    for key, t in model.state_dict().items():
        dtype = str(t.dtype).replace("torch.", "")
        lines.append("%s %s %s" % (key, dtype, ",".join(str(s) for s in t.shape)))
    return lines


def write_state_dicts(family, lines):
    """lines: the concatenated layout(...) lines of the family's models."""
    path = os.path.join(VISION_GOLDEN, "vision_%s_state_dict.txt" % family)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path), len(lines), "lines")


@torch.no_grad()
def check_train_conditioning(name, model, input_shape, bn_paths, seed=0):
    """Fails unless the running statistics at bn_paths after one train-mode forward (procedural weights,
    write_parity's input) agree between float32 and float64 within CONDITIONING_LIMIT (max abs error over
    max abs value). Leaves model unchanged."""
    if not bn_paths:
        return
    torch.manual_seed(seed)
    x = torch.randn(*input_shape)
    stats = []
    for dtype in (torch.float32, torch.float64):
        m = copy.deepcopy(model)
        fill_procedural(m)
        m = m.to(dtype).train()
        m(x.to(dtype))
        stats.append({p + "." + s: getattr(m.get_submodule(p), s).double()
                      for p in bn_paths for s in ("running_mean", "running_var")})
        del m
    for key, ref in stats[1].items():
        err = ((stats[0][key] - ref).abs().max() / ref.abs().max()).item()
        if err > CONDITIONING_LIMIT:
            raise AssertionError("%s %s: float32 differs from float64 by %.2e > %.0e after one train-mode forward; "
                                 "choose an earlier batch-norm layer" % (name, key, err, CONDITIONING_LIMIT))
