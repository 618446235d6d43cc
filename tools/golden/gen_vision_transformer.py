"""Parity fixtures for the zoo's transformer-era families: VisionTransformer (vit_b_16, vit_b_32) and
ConvNeXt (convnext_tiny). Run with /usr/bin/python3 from tools/golden/.

Writes to torchlet-vision/src/test/resources/golden/:
  vision_<name>.safetensors          vision_parity.write_parity fixtures (procedural weights) of each zoo model
                                     (ViT at its fixed image size 224 with batch 1: input and logits only)
  vision_vit_b_16_tokens.safetensors vit_b_16 at 224: tokens 0, 1, 100, 196 of encoder outputs for the same input,
                                     "tokens.<module path>" (1, 4, 768); full feature maps would be
                                     0.6 MB each
  vision_vit_small_test.safetensors  torchvision's VisionTransformer class itself at a small size (image 32,
  vision_vit_repr_test.safetensors   patch 8 / 16, few layers; the second with representation_size), with
                                     whole feature maps; the Java test builds the same VisionTransformer.Options
  vision_transformer_state_dicts.txt one line per state-dict entry, "<model> <key> <d0,d1,...>", in
                                     torchvision's order, for the zoo models at num_classes=10
  vision_transformer_modules.txt     one line per named_modules entry, "<model> <path or .> <class name>"
"""
import os

import torch
from torchvision.models import convnext, vision_transformer

from fixtures import save
from vision_parity import VISION_GOLDEN, fill_procedural, write_parity

NUM_CLASSES = 10


def write_tokens(name, model, input_shape, paths, tokens, seed=0):
    """Like write_parity's eval forward (same seed, so the same input), saving tokens of module outputs."""
    torch.manual_seed(seed)
    x = torch.randn(*input_shape)
    fill_procedural(model)
    model.eval()
    out = {}
    index = torch.tensor(tokens)
    handles = [model.get_submodule(p).register_forward_hook(
        lambda m, i, o, p=p: out.__setitem__("tokens." + p, o[:, index, :])) for p in paths]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    out["token_index"] = index.to(torch.int64)
    path = os.path.join(VISION_GOLDEN, "vision_" + name + "_tokens.safetensors")
    save(out, path, metadata={"model": name, "torch": torch.__version__})
    print("wrote", os.path.relpath(path), {k: list(v.shape) for k, v in out.items()})


def state_dict_lines(name, model):
    return ["%s %s %s" % (name, k, ",".join(str(s) for s in v.shape)) for k, v in model.state_dict().items()]


def module_lines(name, model):
    return ["%s %s %s" % (name, path or ".", type(m).__name__) for path, m in model.named_modules()]


def main():
    lines = []
    modules = []

    for name, fn in [("vit_b_16", vision_transformer.vit_b_16), ("vit_b_32", vision_transformer.vit_b_32)]:
        model = fn(num_classes=NUM_CLASSES)
        lines += state_dict_lines(name, model)
        modules += module_lines(name, model)
        write_parity(name, model, (1, 3, 224, 224), [], [])
        if name == "vit_b_16":  # tokens: the class token, the first, a middle and the last patch
            write_tokens(name, model, (1, 3, 224, 224), ["encoder.layers.encoder_layer_0", "encoder.ln"],
                         [0, 1, 100, 196])

    # torchvision's class at small sizes: whole feature maps of every kind of module
    small = vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64,
                                                 mlp_dim=128, num_classes=NUM_CLASSES)
    write_parity("vit_small_test", small, (2, 3, 32, 32),
                 ["conv_proj", "encoder.layers.encoder_layer_0", "encoder.layers.encoder_layer_1.mlp", "encoder"], [])
    repr_model = vision_transformer.VisionTransformer(image_size=32, patch_size=16, num_layers=1, num_heads=2,
                                                      hidden_dim=32, mlp_dim=48, num_classes=NUM_CLASSES,
                                                      representation_size=16)
    write_parity("vit_repr_test", repr_model, (2, 3, 32, 32), ["encoder", "heads.act"], [])

    model = convnext.convnext_tiny(num_classes=NUM_CLASSES)
    lines += state_dict_lines("convnext_tiny", model)
    modules += module_lines("convnext_tiny", model)
    write_parity("convnext_tiny", model, (2, 3, 64, 64), ["features.2", "features.5", "features.7"], [])

    path = os.path.join(VISION_GOLDEN, "vision_transformer_state_dicts.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", os.path.relpath(path), len(lines), "lines")
    path = os.path.join(VISION_GOLDEN, "vision_transformer_modules.txt")
    with open(path, "w") as f:
        f.write("\n".join(modules) + "\n")
    print("wrote", os.path.relpath(path), len(modules), "lines")


if __name__ == "__main__":
    main()
