"""Parity fixtures of VGG (vgg11 ... vgg19_bn) and AlexNet (torchlet-vision VGG, AlexNet).

For each model: vision_<name>.safetensors (procedural weights, see vision_parity.py); and
vision_vgg_state_dict.txt with the state-dict keys, dtypes and shapes of all of them (VGGTest, AlexNetTest).
One small batch each: the classifiers' first Linear has 103M (VGG) / 38M (AlexNet) weights, so the test
time goes into filling weights, not into the forward. Run from tools/golden/ with /usr/bin/python3.
"""
import torch.nn as nn
import torchvision.models as tvm

from vision_parity import write_parity
from vision_family import check_train_conditioning, layout, write_state_dicts

NUM_CLASSES = 10
VGG_INPUT = (1, 3, 64, 64)  # features end at 2x2, so avgpool's 2x2 -> 7x7 bins overlap
ALEXNET_INPUT = (1, 3, 96, 96)  # features end at 2x2 as well (no batch norm: one image is enough)

VGG_NAMES = ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


def paths(model, kind):
    """Paths of the children of model.features of a kind, in order."""
    return ["features." + n for n, m in model.features.named_children() if isinstance(m, kind)]


def main():
    lines = []
    for name in VGG_NAMES:
        model = getattr(tvm, name)(num_classes=NUM_CLASSES)
        lines += layout(name, model, NUM_CLASSES)
        bns = paths(model, nn.BatchNorm2d)
        # 4th pool: (1, 512, 4, 4); features: (1, 512, 2, 2); classifier.4: (1, 4096)
        features = [paths(model, nn.MaxPool2d)[3], "features", "classifier.4"]
        bn_paths = [bns[0], bns[len(bns) // 2]] if bns else []  # the last ones are ill-conditioned in float32
        # batch norm lives in features, which come first in the state dict: features alone get the same
        # procedural weights, without the 500 MB classifier in float64
        check_train_conditioning(name, model.features, VGG_INPUT, [p[len("features."):] for p in bn_paths])
        write_parity(name, model, VGG_INPUT, features, bn_paths)
        del model
    alexnet = tvm.alexnet(num_classes=NUM_CLASSES)
    lines += layout("alexnet", alexnet, NUM_CLASSES)
    # features.2: (1, 64, 11, 11); features: (1, 256, 2, 2); classifier.5: (1, 4096)
    write_parity("alexnet", alexnet, ALEXNET_INPUT, ["features.2", "features", "classifier.5"], [])
    write_state_dicts("vgg", lines)


if __name__ == "__main__":
    main()
