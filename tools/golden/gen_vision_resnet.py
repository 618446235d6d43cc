"""Parity fixtures of the ResNet family (torchlet-vision ResNet): resnet18 ... wide_resnet101_2.

For each model: vision_<name>.safetensors (procedural weights, see vision_parity.py); and for all of them
vision_resnet_state_dict.txt: the state-dict keys in order with dtype and shape (ResNetTest compares them).
Batch-norm statistics are taken where float32 train-mode results are well conditioned (layer1-3; see
vision_family.check_train_conditioning). Run from tools/golden/ with /usr/bin/python3 (PyTorch 1.13 +
torchvision).
"""
import torchvision.models as tvm

from vision_family import check_train_conditioning, layout, write_state_dicts
from vision_parity import write_parity

INPUT = (2, 3, 64, 64)
NUM_CLASSES = 10

# name -> (feature paths, batch-norm paths); features kept small: at 64x64 layer3 is 4x4, layer4 2x2
MODELS = {
    "resnet18": (["layer2", "layer4", "avgpool"], ["bn1", "layer4.1.bn2"]),
    "resnet34": (["layer2", "layer4", "avgpool"], ["layer1.0.bn1", "layer3.5.bn2"]),
    "resnet50": (["layer3", "layer4", "avgpool"], ["layer1.0.downsample.1", "layer2.3.bn3"]),
    "resnet101": (["layer3", "layer4"], ["layer1.0.downsample.1", "layer2.3.bn3"]),
    "resnet152": (["layer3", "layer4"], ["layer1.2.bn3", "layer2.7.bn2"]),
    "resnext50_32x4d": (["layer3", "layer4", "avgpool"], ["layer2.0.bn2", "layer2.3.bn3"]),
    "resnext101_32x8d": (["layer4", "avgpool"], ["layer1.0.downsample.1", "layer2.3.bn3"]),
    "resnext101_64x4d": (["layer4", "avgpool"], ["layer1.0.downsample.1", "layer2.3.bn3"]),
    "wide_resnet50_2": (["layer3", "layer4", "avgpool"], ["layer1.2.bn2", "layer2.3.bn3"]),
    "wide_resnet101_2": (["layer4", "avgpool"], ["layer1.0.downsample.1", "layer2.3.bn3"]),
}


def main():
    lines = []
    for name, (features, bns) in MODELS.items():
        model = getattr(tvm, name)(num_classes=NUM_CLASSES)
        lines += layout(name, model, NUM_CLASSES)
        check_train_conditioning(name, model, INPUT, bns)
        write_parity(name, model, INPUT, features, bns)
    write_state_dicts("resnet", lines)
    # the segmentation backbone (fcn/deeplabv3): layer3 and layer4 dilated instead of strided; logits only
    dilated = tvm.resnet50(num_classes=NUM_CLASSES, replace_stride_with_dilation=[False, True, True])
    write_parity("resnet50_dilated", dilated, (2, 3, 32, 32), [], [])


if __name__ == "__main__":
    main()
