package dev.torchlet.vision.weights;

/**
 * One set of pretrained ImageNet weights torchvision publishes for a zoo model, as listed in
 * torchvision's weight enums (e.g. {@code ResNet18_Weights.IMAGENET1K_V1}).
 *
 * @param model         the zoo name, e.g. "resnet18"
 * @param tag           the enum member, e.g. "IMAGENET1K_V1"
 * @param url           the official download address
 * @param fileName      the file name PyTorch caches it under, e.g. "resnet18-f37072fd.pth"
 * @param sha256Prefix  the first hex digits of the file's SHA-256, from its name (what torch.hub checks)
 * @param numParams     the parameter count of the model with 1000 classes
 * @param acc1          ImageNet-1K top-1 accuracy (%) as published, or NaN
 * @param acc5          top-5 accuracy (%), or NaN
 * @param preprocessing the input transform these weights expect
 * @param isDefault     whether torchvision's {@code DEFAULT} points at this entry
 */
public record WeightSpec(
        String model,
        String tag,
        String url,
        String fileName,
        String sha256Prefix,
        long numParams,
        double acc1,
        double acc5,
        Preprocessing preprocessing,
        boolean isDefault) {}
