import java.lang.reflect.Method;
import java.util.List;

/**
 * One bench workload run over and over in one JVM for a while, each run with the strict 2-run warm-up and the
 * bench's timed repetitions, printed as {@code seconds-since-start:value}: the curve shows how long the JIT takes
 * to bring a workload to its steady state (the LSTM step: 500-1170 seq/s in its first 5 s on the AMD VM of session
 * 22, 1100-1500 from about 7 s on), which a single bench run's warm-up has to cover.
 *
 * <pre>
 * ./mvnw -q install -DskipTests -Dtorchlet.fuzz.skip
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms3g -Xmn2g -XX:+AlwaysPreTouch \
 *     -cp "torchlet-cli/target/torchlet-cli-0.1.0-SNAPSHOT.jar:torchlet-cli/target/lib/*" \
 *     tools/bench/LongRun.java lstm_train_seq_s 40
 * </pre>
 */
public final class LongRun {
    private LongRun() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LongRun WORKLOAD SECONDS");
            System.exit(2);
        }
        Class<?> timing = Class.forName("dev.torchlet.cli.bench.Timing");
        timing.getMethod("setJitWarmUpSeconds", double.class).invoke(null, 0.0); // each run: 2 warm-up runs only
        Method select = Class.forName("dev.torchlet.cli.bench.Workloads").getMethod("select", List.class);
        double seconds = Double.parseDouble(args[1]);
        long t0 = System.nanoTime();
        StringBuilder line = new StringBuilder();
        while (System.nanoTime() - t0 < seconds * 1e9) {
            Object workload = ((List<?>) select.invoke(null, List.of(args[0]))).get(0);
            Method run = workload.getClass().getMethod("run");
            run.setAccessible(true);
            Object result = run.invoke(workload);
            Method value = result.getClass().getMethod("value");
            value.setAccessible(true);
            line.append(String.format("%.1f:%.1f ", (System.nanoTime() - t0) / 1e9, (double) value.invoke(result)));
        }
        System.out.println(args[0] + " " + line.toString().strip());
        System.exit(0); // the pool's worker threads
    }
}
