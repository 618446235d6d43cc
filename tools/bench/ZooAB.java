import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A/B of two builds on whole zoo-model inference (batch 1, 224x224, after {@code Fusion.fuseForInference}, in
 * no-grad mode: what the bench's resnet18_b1_ms and friends time), in one JVM: each build's classes (core, data,
 * vision) loaded by its own class loader, the builds timed alternately, about a second each, ROUNDS rounds, so both
 * see the same drift of the shared VM. Whole-workload runs in separate JVMs drifted by 30-50% between rounds here,
 * more than the changes measured.
 *
 * <pre>
 * git worktree add /tmp/old HEAD~1 &amp;&amp; (cd /tmp/old &amp;&amp; ./mvnw -q -o compile -pl torchlet-core,torchlet-data,torchlet-vision)
 * ./mvnw -q -o compile -pl torchlet-core,torchlet-data,torchlet-vision
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector tools/bench/ZooAB.java \
 *     /tmp/old/torchlet-core/target/classes:/tmp/old/torchlet-data/target/classes:/tmp/old/torchlet-vision/target/classes \
 *     torchlet-core/target/classes:torchlet-data/target/classes:torchlet-vision/target/classes resnet18 mobilenet_v2
 * </pre>
 *
 * Prints per model the median milliseconds per image of each build and the median ratio old/new (above 1: the new
 * build is faster) with its quartiles. Threads: the machine's (both builds' pools). A MODEL ending in {@code .onnx}
 * is a file that each build imports with {@code OnnxModel.load} (add torchlet-onnx's classes and protobuf-java to
 * both class paths). {@code -DinferenceMode=true} times the calls in {@code Torch.inferenceMode()} instead of no-grad
 * mode (the bench's zoo workloads since session 24; needs it in both builds). {@code -DchannelsLast=true} feeds the
 * batch channels-last (converted once, before timing), as the bench's zoo workloads do.
 */
public final class ZooAB {
    private static final int ROUNDS = 11;
    private static final long ROUND_NANOS = 1_000_000_000L;

    private ZooAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ZooAB OLD_CLASSPATH NEW_CLASSPATH MODEL...");
            System.exit(2);
        }
        Build[] builds = {new Build(args[0]), new Build(args[1])};
        for (int m = 2; m < args.length; m++) {
            Runnable[] inference = {builds[0].inference(args[m]), builds[1].inference(args[m])};
            double[][] ms = new double[2][ROUNDS];
            for (int round = -2; round < ROUNDS; round++) { // two warm-up rounds
                for (int v = 0; v < 2; v++) {
                    long t0 = System.nanoTime();
                    int calls = 0;
                    while (System.nanoTime() - t0 < ROUND_NANOS) {
                        inference[v].run();
                        calls++;
                    }
                    if (round >= 0) {
                        ms[v][round] = (System.nanoTime() - t0) / 1e6 / calls;
                    }
                }
            }
            double[] ratio = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                ratio[i] = ms[0][i] / ms[1][i];
            }
            Arrays.sort(ms[0]);
            Arrays.sort(ms[1]);
            Arrays.sort(ratio);
            System.out.printf(
                    "%s  old %.2f ms  new %.2f ms  old/new %.3f (quartiles %.3f-%.3f)%n",
                    args[m], ms[0][ROUNDS / 2], ms[1][ROUNDS / 2],
                    ratio[ROUNDS / 2], ratio[ROUNDS / 4], ratio[3 * ROUNDS / 4]);
        }
        System.out.println("heap used " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1 << 20)
                + " MB");
        System.exit(0); // the builds' worker threads are not daemons
    }

    /** One build: its Models.create, Fusion.fuseForInference, Torch.rand and no-grad call through reflection. */
    private static final class Build {
        private final ClassLoader loader;

        Build(String classpath) throws Exception {
            String[] parts = classpath.split(":");
            URL[] urls = new URL[parts.length];
            for (int i = 0; i < parts.length; i++) {
                urls[i] = Path.of(parts[i]).toUri().toURL();
            }
            loader = new URLClassLoader(urls, ZooAB.class.getClassLoader().getParent());
        }

        Runnable inference(String model) throws Exception {
            Class<?> module = loader.loadClass("dev.torchlet.nn.Module");
            Class<?> tensor = loader.loadClass("dev.torchlet.Tensor");
            Class<?> torch = loader.loadClass("dev.torchlet.Torch");
            torch.getMethod("manualSeed", long.class).invoke(null, 0L);
            Object x = torch.getMethod("rand", int[].class).invoke(null, (Object) new int[] {1, 3, 224, 224});
            Object net;
            if (model.endsWith(".onnx")) { // an exported model, imported (and graph-optimized) by each build
                net = loader.loadClass("dev.torchlet.onnx.OnnxModel")
                        .getMethod("load", Path.class)
                        .invoke(null, Path.of(model));
                module.getMethod("eval").invoke(net);
            } else {
                Class<?> models = loader.loadClass("dev.torchlet.vision.models.Models");
                net = models.getMethod("create", String.class, int.class).invoke(null, model, 1000);
                module.getMethod("eval").invoke(net);
                loader.loadClass("dev.torchlet.nn.Fusion")
                        .getMethod("fuseForInference", module, tensor)
                        .invoke(null, net, x);
            }
            // -DinferenceMode=true: Torch.inferenceMode() (activation buffers recycled), as the bench's zoo workloads run
            var noGrad = torch.getMethod(Boolean.getBoolean("inferenceMode") ? "inferenceMode" : "noGrad");
            var call = module.getMethod("call", tensor);
            Object input = x;
            if (Boolean.getBoolean("channelsLast")) { // the batch the bench's zoo workloads feed
                Class<?> format = loader.loadClass("dev.torchlet.MemoryFormat");
                Object channelsLast = format.getField("CHANNELS_LAST").get(null);
                input = tensor.getMethod("contiguous", format).invoke(x, channelsLast);
            }
            Object in = input;
            return () -> {
                try (AutoCloseable scope = (AutoCloseable) noGrad.invoke(null)) {
                    call.invoke(net, in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
        }
    }
}
