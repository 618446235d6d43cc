"""Parity fixtures for the model zoo (torchlet-vision).

A zoo model's state dict is tens to hundreds of MB, too much to commit for every model. So the parity
fixtures use *procedural weights*: every parameter and buffer gets values from a formula of its position
in the state dict and its element index, which ProceduralWeights.java rebuilds bit for bit. A fixture
then holds only the input batch, the eval-mode logits, a few intermediate feature maps (by module path,
taken with forward hooks) and the batch-norm running statistics after one train-mode forward.
(Real torch.save'd files of small models are tested separately, against torchvision's own init.)

    u(i, j)  = ((i * 2654435761 + (j + 1) * 40503) mod 2^32) / 2^32      element i of state-dict entry j
    running_var: 0.5 + u          running_mean: 0.2 (u - 0.5)
    weight with >= 2 dims: 2 sqrt(6 / fan_in) (u - 0.5), fan_in = numel / size(0)
    other weight (norm scales): 1 + 0.2 (u - 0.5)      bias: 0.2 (u - 0.5)      anything else: 0.04 (u - 0.5)
computed in float64, then rounded to float32; integer buffers (num_batches_tracked) stay as they are.
"""
import math
import os

import torch

from fixtures import save

VISION_GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-vision", "src", "test", "resources",
                             "golden")


def procedural_value(name, shape, u):
    if name.endswith("running_var"):
        return 0.5 + u
    if name.endswith("running_mean"):
        return (u - 0.5) * 0.2
    if name.endswith("weight") and len(shape) >= 2:
        fan_in = math.prod(shape) // shape[0]
        bound = math.sqrt(6.0 / fan_in)
        return (u - 0.5) * (2 * bound)
    if name.endswith("weight"):
        return 1.0 + (u - 0.5) * 0.2
    if name.endswith("bias"):
        return (u - 0.5) * 0.2
    return (u - 0.5) * 0.04


@torch.no_grad()
def fill_procedural(model):
    """Overwrites every floating parameter and buffer of model with its procedural values."""
    for j, (name, t) in enumerate(model.state_dict().items()):
        if not t.is_floating_point():
            continue
        i = torch.arange(t.numel(), dtype=torch.int64)
        u = ((i * 2654435761 + (j + 1) * 40503) & 0xFFFFFFFF).double() / 2.0 ** 32
        t.copy_(procedural_value(name, list(t.shape), u).reshape(t.shape).float())


def write_parity(name, model, input_shape, feature_paths, bn_paths, seed=0):
    """Writes torchlet-vision/src/test/resources/golden/vision_<name>.safetensors.

    name: the zoo name ("resnet18"); model: the torchvision model (any num_classes);
    feature_paths: module paths whose eval-mode outputs are saved as "feature.<path>";
    bn_paths: batch-norm module paths whose running statistics after one train-mode forward are saved
    as "train.<path>.running_mean" / ".running_var".
    """
    torch.manual_seed(seed)
    x = torch.randn(*input_shape)
    fill_procedural(model)
    model.eval()
    features = {}
    handles = [model.get_submodule(p).register_forward_hook(
        lambda m, i, o, p=p: features.__setitem__("feature." + p, o)) for p in feature_paths]
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    out = {"input": x, "logits": logits}
    out.update(features)
    model.train()
    with torch.no_grad():
        model(x)
    for p in bn_paths:
        bn = model.get_submodule(p)
        out["train." + p + ".running_mean"] = bn.running_mean
        out["train." + p + ".running_var"] = bn.running_var
    path = os.path.join(VISION_GOLDEN, "vision_" + name + ".safetensors")
    save(out, path, metadata={"model": name, "num_classes": logits.shape[1], "torch": torch.__version__})
    print("wrote", os.path.relpath(path), {k: list(v.shape) for k, v in out.items()})
