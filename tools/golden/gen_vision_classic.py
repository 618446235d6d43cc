"""Zoo fixtures of the classic family (torchlet-vision): SqueezeNet 1.0/1.1 and DenseNet-121/161/169/201.

For every model:
  golden/vision_<name>.safetensors    parity fixture with procedural weights (vision_parity.write_parity)
  golden/vision_<name>.keys.txt       torchvision's state-dict keys and shapes, in order: "key [d0, d1, ...]"
And the real-checkpoint (transfer-learning) path, with torchvision's own random init, not procedural weights:
  checkpoints/squeezenet1_1_10.pt         torch.save(squeezenet1_1(num_classes=10).state_dict()), zip format
  checkpoints/squeezenet1_1_10_legacy.pt  the same state dict with _use_new_zipfile_serialization=False
  golden/vision_squeezenet1_1_checkpoint.safetensors   a fixed input and that model's eval-mode logits

Input sizes are chosen so that the details matter: SqueezeNet's ceil-mode pools round up at every pool
(1_1: 66 -> 32 -> 16 -> 8 -> 4; 1_0: 69 -> 32 -> 16 -> 8 -> 4, where floor mode would give 15, 7, 3),
DenseNet at 64x64 ends at 2x2 after the third transition.

Run from tools/golden with /usr/bin/python3 (PyTorch 1.13 + torchvision).
"""
import os

import torch
from torchvision import models

from fixtures import save
from vision_parity import VISION_GOLDEN, write_parity

CHECKPOINTS = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-vision", "src", "test", "resources",
                           "checkpoints")
NUM_CLASSES = 10

# name -> (input shape, feature paths, batch-norm paths). A feature path must not be a module whose output
# torchvision then modifies in place (ReLU(inplace=True) after classifier.1, F.relu(inplace=True) after
# features.norm5): the hook keeps the tensor object, so the fixture would hold the value after the ReLU.
SQUEEZENET = {
    "squeezenet1_0": ((2, 3, 69, 69), ["features.2", "features.6", "features.11", "classifier.2"], []),
    "squeezenet1_1": ((2, 3, 66, 66), ["features.2", "features.5", "features.12", "classifier.2"], []),
}
DENSENET_FEATURES = ["features.transition1", "features.transition3", "features.denseblock4"]
DENSENET_BN = ["features.norm0", "features.denseblock2.denselayer3.norm2"]
DENSENET = {name: ((2, 3, 64, 64), DENSENET_FEATURES, DENSENET_BN)
            for name in ["densenet121", "densenet161", "densenet169", "densenet201"]}


def write_keys(name, model):
    """The state-dict keys and shapes, one "key [shape]" line each (shape as Java's Arrays.toString)."""
    os.makedirs(VISION_GOLDEN, exist_ok=True)
    path = os.path.join(VISION_GOLDEN, "vision_" + name + ".keys.txt")
    with open(path, "w") as f:
        for k, v in model.state_dict().items():
            f.write(k + " " + str(list(v.shape)) + "\n")
    print("wrote", os.path.relpath(path), len(model.state_dict()), "keys")


def write_checkpoints():
    """squeezenet1_1(num_classes=10) with torchvision's init from seed 0, saved in both formats."""
    torch.manual_seed(0)
    model = models.squeezenet1_1(num_classes=NUM_CLASSES)
    model.eval()
    os.makedirs(CHECKPOINTS, exist_ok=True)
    state = model.state_dict()
    zip_path = os.path.join(CHECKPOINTS, "squeezenet1_1_10.pt")
    legacy_path = os.path.join(CHECKPOINTS, "squeezenet1_1_10_legacy.pt")
    torch.save(state, zip_path)
    torch.save(state, legacy_path, _use_new_zipfile_serialization=False)
    torch.manual_seed(1)
    x = torch.rand(2, 3, 66, 66) * 2 - 1
    with torch.no_grad():
        logits = model(x)
    assert logits.abs().max() > 0, "all-zero logits would make the comparison meaningless"
    path = os.path.join(VISION_GOLDEN, "vision_squeezenet1_1_checkpoint.safetensors")
    save({"input": x, "logits": logits}, path, metadata={"model": "squeezenet1_1", "num_classes": NUM_CLASSES,
                                                         "torch": torch.__version__})
    for p in [zip_path, legacy_path, path]:
        print("wrote", os.path.relpath(p), os.path.getsize(p), "bytes")
    print("checkpoint logits", logits)


def main():
    for name, (shape, feature_paths, bn_paths) in {**SQUEEZENET, **DENSENET}.items():
        model = getattr(models, name)(num_classes=NUM_CLASSES)
        write_keys(name, model)
        write_parity(name, model, shape, feature_paths, bn_paths)
    write_checkpoints()


if __name__ == "__main__":
    main()
