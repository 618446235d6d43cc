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
 * A/B of two builds of core's float32 GEMM in one JVM: each build's classes are loaded by their own class loader,
 * and the two are called alternately, 120 ms at a time, 15 timed rounds per shape. Both sides see the same drift
 * of this shared VM (which moves single runs by 20-50%), so the ratio new/old is stable where separate runs are
 * not: two identical builds give 0.99-1.01.
 *
 * <pre>
 * git worktree add /tmp/old HEAD~1 &amp;&amp; (cd /tmp/old &amp;&amp; ./mvnw -q -o compile -pl torchlet-core)
 * ./mvnw -q -o compile -pl torchlet-core
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector tools/bench/GemmAB.java THREADS \
 *     /tmp/old/torchlet-core/target/classes torchlet-core/target/classes
 * </pre>
 *
 * With one thread the time is the calling thread's CPU time (time stolen by other guests is not counted); with
 * more, wall-clock time. Shapes are the transformer bench's (2048 tokens, d_model 256, feed-forward 1024), a
 * weight gradient (A transposed), 1024^3, a small-batch Linear and an im2col convolution; "t" marks B transposed
 * (x @ W^T), "T" A transposed; {@code -Dshapes=m,n,k,transA,transB[,lda,ldb];...} replaces the list. Prints
 * GFLOP/s per build (medians) and the median ratio with its quartiles.
 */
public final class GemmAB {
    private static final int[][] DEFAULT_SHAPES = { // m, n, k, transA, transB
        {2048, 256, 256, 0, 1},
        {2048, 768, 256, 0, 1},
        {2048, 256, 1024, 0, 1},
        {2048, 256, 256, 0, 0},
        {256, 256, 2048, 1, 0},
        {1024, 1024, 1024, 0, 0},
        {64, 256, 1024, 0, 1},
        {784, 128, 1152, 0, 0}
    };
    private static final int ROUNDS = 15;
    private static final long ROUND_NANOS = 120_000_000L;

    private GemmAB() {}

    public static void main(String[] args) throws Throwable {
        if (args.length != 3) {
            System.err.println("usage: GemmAB THREADS OLD_CLASSES_DIR NEW_CLASSES_DIR");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        MethodHandle[] sgemm = {load(Path.of(args[1]), threads), load(Path.of(args[2]), threads)};
        float[] a = random(4 << 20, 1);
        float[] b = random(4 << 20, 2);
        float[] c = new float[4 << 20];
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int[] s : shapes(System.getProperty("shapes"))) {
            int m = s[0], n = s[1], k = s[2];
            boolean ta = s[3] == 1, tb = s[4] == 1;
            int lda = s.length > 5 && s[5] > 0 ? s[5] : (ta ? m : k); // optional leading dimensions
            int ldb = s.length > 6 && s[6] > 0 ? s[6] : (tb ? k : n);
            double[][] gflops = new double[2][ROUNDS];
            for (int round = -2; round < ROUNDS; round++) { // two warm-up rounds
                for (int v = 0; v < 2; v++) {
                    long t0 = System.nanoTime();
                    long c0 = cpu.getCurrentThreadCpuTime();
                    int calls = 0;
                    while (System.nanoTime() - t0 < ROUND_NANOS) {
                        sgemm[v].invokeExact(
                                ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                        calls++;
                    }
                    double seconds = threads == 1
                            ? (cpu.getCurrentThreadCpuTime() - c0) / 1e9
                            : (System.nanoTime() - t0) / 1e9;
                    if (round >= 0) {
                        gflops[v][round] = 2.0 * m * n * k * calls / seconds / 1e9;
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
                    "%dx%dx%d%s%s%s  old %.0f  new %.0f GFLOP/s  new/old %.3f (quartiles %.3f-%.3f)%n",
                    m, n, k, ta ? "T" : "", tb ? "t" : "", s.length > 5 ? " ld " + lda + "," + ldb : "",
                    gflops[0][ROUNDS / 2], gflops[1][ROUNDS / 2], ratio[ROUNDS / 2], ratio[ROUNDS / 4],
                    ratio[3 * ROUNDS / 4]);
        }
        System.exit(0); // the builds' worker threads are not daemons
    }

    /**
     * -Dshapes=m,n,k,transA,transB[,lda,ldb];... (transposes 0 or 1; leading dimensions wider than the matrix, e.g.
     * one head of attention's packed (tokens, 3 * d_model) projection: 128,32,128,0,0,128,768), or the default list.
     */
    private static int[][] shapes(String spec) {
        if (spec == null) {
            return DEFAULT_SHAPES;
        }
        return Arrays.stream(spec.split(";"))
                .map(shape -> Arrays.stream(shape.split(",")).mapToInt(Integer::parseInt).toArray())
                .toArray(int[][]::new);
    }

    /** GemmKernels.sgemm of the build in dir, with its own Parallel pool set to the thread count. */
    private static MethodHandle load(Path dir, int threads) throws Exception {
        URLClassLoader loader = new URLClassLoader(
                new URL[] {dir.toUri().toURL()}, GemmAB.class.getClassLoader().getParent());
        Class<?> kernels = loader.loadClass("dev.torchlet.kernels.GemmKernels");
        loader.loadClass("dev.torchlet.kernels.Parallel")
                .getMethod("setNumThreads", int.class)
                .invoke(null, threads);
        MethodType type = MethodType.methodType(
                void.class, boolean.class, boolean.class, int.class, int.class, int.class, float.class,
                float[].class, int.class, int.class, float[].class, int.class, int.class, float.class,
                float[].class, int.class, int.class);
        return MethodHandles.publicLookup().findStatic(kernels, "sgemm", type);
    }

    private static float[] random(int length, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = rnd.nextFloat();
        }
        return x;
    }
}
