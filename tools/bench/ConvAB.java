import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * A/B of two builds of core's float32 forward convolution ({@code ConvKernels.forward}) in one JVM, the way
 * {@code GemmAB} does it for the GEMM: each build loaded by its own class loader, the two called alternately,
 * 120 ms at a time, 15 timed rounds per shape, so both see the same drift of the shared VM.
 *
 * <pre>
 * git worktree add /tmp/old HEAD~1 &amp;&amp; (cd /tmp/old &amp;&amp; ./mvnw -q -o compile -pl torchlet-core)
 * ./mvnw -q -o compile -pl torchlet-core
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector tools/bench/ConvAB.java THREADS \
 *     /tmp/old/torchlet-core/target/classes torchlet-core/target/classes
 * </pre>
 *
 * Shapes: ResNet-18's convolutions at batch 1 (the stem's 7x7 stride 2, the 3x3s of each stage, the stride-2
 * 3x3s and 1x1 downsamples), the bench's conv3x3_64_56_b8, MobileNetV2's stride-2 3x3 stem, the DCGAN
 * discriminator's two 5x5 stride-2 convolutions and its generator's first transposed one (as the conv whose input
 * gradient it is, 7x7 stride 1), the DDPM U-Net's first stride-2 3x3, MobileNetV2's depthwise 3x3s (stride 2 and
 * 1) and 1x1s, and ResNet-50's 1x1s. One thread: the calling thread's CPU time; more: wall-clock time. Prints
 * GFLOP/s (useful work, 2 * MACs) per build, medians, and the median ratio new/old with its quartiles. A fourth
 * argument runs only the shapes whose label contains it (e.g. {@code n64}). {@code -Dpass=input} or {@code
 * -Dpass=weight} times {@code ConvKernels.backwardInput} or {@code backwardWeight} instead of the forward pass (the
 * same FLOPs). {@code -Dlayout=channelsLast} times the channels-last direct convolution ({@code
 * ConvChannelsLast.forward}, weights packed once) on its ungrouped shapes instead.
 */
public final class ConvAB {
    private static final int[][] SHAPES = { // n, cin, h(=w), cout, k, stride, pad[, groups]
        {1, 3, 224, 64, 7, 2, 3},
        {1, 64, 56, 64, 3, 1, 1},
        {1, 64, 56, 128, 3, 2, 1},
        {1, 64, 56, 128, 1, 2, 0},
        {1, 128, 28, 128, 3, 1, 1},
        {1, 128, 28, 256, 3, 2, 1},
        {1, 256, 14, 256, 3, 1, 1},
        {1, 256, 14, 512, 3, 2, 1},
        {1, 512, 7, 512, 3, 1, 1},
        {8, 64, 56, 64, 3, 1, 1},
        {1, 3, 224, 32, 3, 2, 1},
        {64, 1, 28, 64, 5, 2, 2},
        {64, 64, 14, 128, 5, 2, 2},
        {64, 128, 7, 256, 5, 1, 2},
        {32, 64, 28, 64, 3, 2, 1},
        {1, 96, 112, 96, 3, 2, 1, 96},
        {1, 144, 56, 144, 3, 1, 1, 144},
        {1, 32, 112, 32, 3, 1, 1, 32},
        {1, 192, 28, 192, 3, 1, 1, 192},
        {1, 576, 14, 576, 3, 1, 1, 576},
        {1, 960, 7, 960, 3, 1, 1, 960},
        {1, 16, 112, 96, 1, 1, 0},
        {1, 32, 112, 16, 1, 1, 0},
        {1, 144, 56, 24, 1, 1, 0},
        {1, 24, 56, 144, 1, 1, 0},
        {1, 64, 56, 256, 1, 1, 0},
        {1, 256, 56, 64, 1, 1, 0},
        {1, 1024, 14, 256, 1, 1, 0}
    };
    private static final int ROUNDS = 15;
    private static final long ROUND_NANOS = 120_000_000L;

    private ConvAB() {}

    public static void main(String[] args) throws Throwable {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: ConvAB THREADS OLD_CLASSES_DIR NEW_CLASSES_DIR [LABEL_FILTER]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        String pass = System.getProperty("pass", "forward");
        boolean channelsLast = "channelsLast".equals(System.getProperty("layout"));
        Build[] builds = {new Build(Path.of(args[1]), threads), new Build(Path.of(args[2]), threads)};
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int[] s : SHAPES) {
            int n = s[0], cin = s[1], hw = s[2], cout = s[3], k = s[4], stride = s[5], pad = s[6];
            int o = (hw + 2 * pad - k) / stride + 1;
            int groups = s.length > 7 ? s[7] : 1;
            String label = String.format("n%d %dx%d^2 -> %d k%d s%d%s", n, cin, hw, cout, k, stride,
                    groups == 1 ? "" : " g" + groups);
            if (args.length == 4 && !label.contains(args[3]) || channelsLast && groups != 1) {
                continue;
            }
            float[] in = random(n * cin * hw * hw, 1);
            float[] w = random(cout * cin / groups * k * k, 2);
            float[] bias = random(cout, 3);
            float[] out = new float[n * cout * o * o];
            float[] gradIn = new float[in.length];
            float[] gradW = new float[w.length];
            Object[] geometry = {builds[0].geometry(s), builds[1].geometry(s)};
            float[][] packed = channelsLast
                    ? new float[][] {builds[0].packChannelsLast(geometry[0], w), builds[1].packChannelsLast(geometry[1], w)}
                    : null;
            double flops = 2.0 * n * cout * o * o * cin / groups * k * k;
            double[][] gflops = new double[2][ROUNDS];
            for (int round = -2; round < ROUNDS; round++) { // two warm-up rounds
                for (int v = 0; v < 2; v++) {
                    long t0 = System.nanoTime();
                    long c0 = cpu.getCurrentThreadCpuTime();
                    int calls = 0;
                    while (System.nanoTime() - t0 < ROUND_NANOS) {
                        switch (pass) {
                            case "input" -> builds[v].backwardInput.invoke(geometry[v], out, w, gradIn);
                            case "weight" -> builds[v].backwardWeight.invoke(geometry[v], out, in, 0, gradW);
                            default -> {
                                if (channelsLast) {
                                    builds[v].forwardChannelsLast.invoke(
                                            geometry[v], in, 0, packed[v], bias, null, 0, out, 0f, Float.POSITIVE_INFINITY);
                                } else {
                                    builds[v].forward.invoke(
                                            geometry[v], in, 0, w, bias, out, 0f, Float.POSITIVE_INFINITY);
                                }
                            }
                        }
                        calls++;
                    }
                    double seconds = threads == 1
                            ? (cpu.getCurrentThreadCpuTime() - c0) / 1e9
                            : (System.nanoTime() - t0) / 1e9;
                    if (round >= 0) {
                        gflops[v][round] = flops * calls / seconds / 1e9;
                    }
                }
            }
            double[] ratio = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                ratio[i] = gflops[1][i] / gflops[0][i];
            }
            Arrays.sort(gflops[0]);
            Arrays.sort(gflops[1]);
            Arrays.sort(ratio);
            System.out.printf(
                    "%s  old %.0f  new %.0f GFLOP/s  new/old %.3f (quartiles %.3f-%.3f)%n",
                    label, gflops[0][ROUNDS / 2], gflops[1][ROUNDS / 2],
                    ratio[ROUNDS / 2], ratio[ROUNDS / 4], ratio[3 * ROUNDS / 4]);
        }
        System.exit(0); // the builds' worker threads are not daemons
    }

    /** One build's ConvGeometry.of and ConvKernels' three passes (forward with the clamp), its pool set to THREADS. */
    private static final class Build {
        final MethodHandle of;
        final MethodHandle forward;
        final MethodHandle backwardInput;
        final MethodHandle backwardWeight;
        final MethodHandle packChannelsLast;
        final MethodHandle forwardChannelsLast;

        Build(Path dir, int threads) throws Exception {
            URLClassLoader loader = new URLClassLoader(
                    new URL[] {dir.toUri().toURL()}, ConvAB.class.getClassLoader().getParent());
            Class<?> geometry = loader.loadClass("dev.torchlet.kernels.ConvGeometry");
            Class<?> kernels = loader.loadClass("dev.torchlet.kernels.ConvKernels");
            Class<?> channelsLast = loader.loadClass("dev.torchlet.kernels.ConvChannelsLast");
            loader.loadClass("dev.torchlet.kernels.Parallel")
                    .getMethod("setNumThreads", int.class)
                    .invoke(null, threads);
            MethodType ofType = MethodType.methodType(geometry, int.class, int.class, int.class, int.class,
                    int.class, int.class, int.class, int.class, int.class, int.class, int.class, int.class,
                    int.class, int.class);
            of = MethodHandles.publicLookup().findStatic(geometry, "of", ofType);
            forward = MethodHandles.publicLookup().findStatic(kernels, "forward", MethodType.methodType(
                    void.class, geometry, float[].class, int.class, float[].class, float[].class, float[].class,
                    float.class, float.class));
            backwardInput = MethodHandles.publicLookup().findStatic(kernels, "backwardInput", MethodType.methodType(
                    void.class, geometry, float[].class, float[].class, float[].class));
            backwardWeight = MethodHandles.publicLookup().findStatic(kernels, "backwardWeight",
                    MethodType.methodType(void.class, geometry, float[].class, float[].class, int.class,
                            float[].class));
            packChannelsLast = MethodHandles.publicLookup().findStatic(channelsLast, "pack",
                    MethodType.methodType(float[].class, geometry, float[].class));
            forwardChannelsLast = MethodHandles.publicLookup().findStatic(channelsLast, "forward",
                    MethodType.methodType(void.class, geometry, float[].class, int.class, float[].class,
                            float[].class, float[].class, int.class, float[].class, float.class, float.class));
        }

        float[] packChannelsLast(Object geometry, float[] w) throws Throwable {
            return (float[]) packChannelsLast.invoke(geometry, w);
        }

        Object geometry(int[] s) throws Throwable {
            return of.invoke(s[0], s[1], s[2], s[2], s[3], s[4], s[4], s[5], s[5], s[6], s[6], 1, 1,
                    s.length > 7 ? s[7] : 1);
        }
    }

    private static float[] random(int length, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        return x;
    }
}
