"""Writes the pretrained-weight registry of torchlet-vision from the installed torchvision source.

For every zoo model: each ImageNet weight torchvision publishes (its enum name, download address, file name,
the SHA-256 prefix torch.hub checks, parameter count, ImageNet accuracy) and the preprocessing it expects
(resize, center crop, mean, std, interpolation); plus the 1000 ImageNet class names. Run with the system
Python that has torchvision: /usr/bin/python3 tools/vision/gen_weight_registry.py
"""
import json
import math
import os

import torchvision
from torchvision.models import get_model_weights
from torchvision.models._meta import _IMAGENET_CATEGORIES

ZOO = ["alexnet",
       "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
       "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
       "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
       "squeezenet1_0", "squeezenet1_1", "densenet121", "densenet161", "densenet169", "densenet201",
       "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0",
       "convnext_tiny", "vit_b_16", "vit_b_32"]

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-vision", "src", "main", "resources", "dev",
                   "torchlet", "vision", "weights")


def preprocessing(weights):
    t = weights.transforms()
    return {"resize": t.resize_size[0], "crop": t.crop_size[0], "mean": t.mean, "std": t.std,
            "interpolation": t.interpolation.value}


def main():
    registry = {}
    for name in ZOO:
        enum = get_model_weights(name)
        entries = []
        for w in enum:
            file = w.url.rsplit("/", 1)[1]
            stem = file.rsplit(".", 1)[0]
            metrics = {k: (None if math.isnan(v) else v)  # VGG16 IMAGENET1K_FEATURES has no accuracy
                       for k, v in w.meta.get("_metrics", {}).get("ImageNet-1K", {}).items()}
            entries.append({
                "tag": w.name, "enum": enum.__name__ + "." + w.name, "url": w.url, "file": file,
                "sha256_prefix": stem.rsplit("-", 1)[1] if "-" in stem else "",
                "num_params": w.meta["num_params"], "acc1": metrics.get("acc@1"), "acc5": metrics.get("acc@5"),
                "preprocessing": preprocessing(w), "default": w == enum.DEFAULT})
        registry[name] = entries
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "registry.json"), "w") as f:
        json.dump({"torchvision": torchvision.__version__, "models": registry}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "imagenet_classes.txt"), "w") as f:
        f.write("\n".join(_IMAGENET_CATEGORIES) + "\n")
    print("wrote", len(registry), "models,", sum(len(v) for v in registry.values()), "weights")


if __name__ == "__main__":
    main()
