package dev.torchlet.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of {@code torchlet bench} workloads, in the baseline script's order. To add one:
 * write a {@link Workload} with the baseline's name and definition and list it here.
 */
public final class Workloads {
    private static final List<Workload> ALL = List.of(
            new Gemm1024(),
            new Conv3x3(),
            new ZooInference("resnet18_b1_ms", "resnet18", 1),
            new ZooInference("resnet18_b16_img_s", "resnet18", 16),
            new ZooInference("mobilenetv2_b1_ms", "mobilenet_v2", 1),
            new ZooInference("resnet50_b1_ms", "resnet50", 1),
            new MnistCnnTrain(),
            new LstmTrain(),
            new TransformerTrain(),
            new FinetuneResnet18Frozen(),
            new ResNet18Int8(),
            new Gpt2Generate(),
            new DcganTrain(),
            new DdpmUnetTrain());

    private Workloads() {}

    public static List<Workload> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Workload::name).toList();
    }

    /**
     * The workloads named in {@code only} (all when null or empty), in registry order.
     *
     * @throws IllegalArgumentException naming the unknown names and listing the available ones
     */
    public static List<Workload> select(List<String> only) {
        if (only == null || only.isEmpty()) {
            return ALL;
        }
        Map<String, Workload> byName = new LinkedHashMap<>();
        ALL.forEach(w -> byName.put(w.name(), w));
        List<String> unknown = new ArrayList<>();
        for (String name : only) {
            if (!byName.containsKey(name.strip())) {
                unknown.add(name.strip());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("bench: unknown workload" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; available: " + String.join(", ", names()));
        }
        List<String> wanted = only.stream().map(String::strip).toList();
        return ALL.stream().filter(w -> wanted.contains(w.name())).toList();
    }
}
