import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's float32 FMA peak as the Vector API reaches it: each thread runs a loop of 20 independent
 * fused multiply-adds on registers (no loads), 6 rounds; GFLOP/s = threads * iterations * 20 * 2 * lanes / seconds.
 * The ceiling against which a kernel's GFLOP/s reads as an efficiency (the first rounds run before C2 has compiled
 * the loop).
 *
 * <pre>
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector tools/bench/FmaPeak.java 2
 * </pre>
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long ITERATIONS = 50_000_000L;

    private FmaPeak() {}

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        for (int round = 0; round < 6; round++) {
            Thread[] workers = new Thread[threads];
            long t0 = System.nanoTime();
            for (int i = 0; i < threads; i++) {
                workers[i] = new Thread(() -> run(ITERATIONS));
                workers[i].start();
            }
            for (Thread w : workers) {
                w.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double flops = threads * ITERATIONS * 20 * 2.0 * S.length();
            System.out.printf("threads %d: %.0f GFLOP/s%n", threads, flops / seconds / 1e9);
        }
    }

    /** 20 accumulators, each a * b + acc per iteration: independent chains, so the FMA units never wait. */
    private static float run(long iterations) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f);
        FloatVector b = FloatVector.broadcast(S, 1.000001f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0;
        FloatVector c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0, c16 = c0, c17 = c0, c18 = c0;
        FloatVector c19 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
            c12 = a.fma(b, c12);
            c13 = a.fma(b, c13);
            c14 = a.fma(b, c14);
            c15 = a.fma(b, c15);
            c16 = a.fma(b, c16);
            c17 = a.fma(b, c17);
            c18 = a.fma(b, c18);
            c19 = a.fma(b, c19);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9);
        sum = sum.add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
