import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A/B of two builds on whole bench workloads ({@code ./torchlet bench}'s, e.g. dcgan_train_img_s), in one JVM: each
 * build's classes loaded by its own class loader, the workload run once per build per round (the bench's own
 * warm-up and timing inside each run), the order alternating between rounds, so both see the same drift of the
 * shared VM. The training workloads drifted 20-40% between separate-JVM runs here, more than the changes measured.
 *
 * <pre>
 * mkdir -p /tmp/old &amp;&amp; cp torchlet-cli/target/torchlet-cli-*.jar torchlet-cli/target/lib/*.jar /tmp/old/   # before
 * ... change, then ./mvnw -q -o compile -pl torchlet-core ...
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms4g -Xmn2g -XX:+AlwaysPreTouch \
 *     tools/bench/WorkloadAB.java "/tmp/old/*" "torchlet-core/target/classes:/tmp/old/*" 6 dcgan_train_img_s
 * </pre>
 *
 * Class paths: entries separated by ':', an entry ending in "/*" is every jar in that folder; earlier entries win,
 * so a new build is its changed modules' classes in front of the old jars. Prints each round and the medians
 * (workload units, higher is faster) with the median ratio new/old and its quartiles.
 */
public final class WorkloadAB {
    private WorkloadAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: WorkloadAB OLD_CLASSPATH NEW_CLASSPATH ROUNDS WORKLOAD...");
            System.exit(2);
        }
        ClassLoader[] builds = {loader(args[0]), loader(args[1])};
        int rounds = Integer.parseInt(args[2]);
        for (int w = 3; w < args.length; w++) {
            double[][] value = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int v = r % 2 == 0 ? k : 1 - k; // old first in even rounds, new first in odd ones
                    value[v][r] = run(builds[v], args[w]);
                }
                System.out.printf("%s round %d  old %.1f  new %.1f%n", args[w], r, value[0][r], value[1][r]);
            }
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = value[1][r] / value[0][r];
            }
            Arrays.sort(value[0]);
            Arrays.sort(value[1]);
            Arrays.sort(ratio);
            System.out.printf(
                    "%s  old %.1f  new %.1f  new/old %.3f (quartiles %.3f-%.3f)%n",
                    args[w], value[0][rounds / 2], value[1][rounds / 2],
                    ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
        }
        System.exit(0); // the builds' worker threads are not daemons
    }

    /** One run of the named workload in a build: its Result's value. */
    private static double run(ClassLoader build, String workload) throws Exception {
        Object list = build.loadClass("dev.torchlet.cli.bench.Workloads")
                .getMethod("select", List.class)
                .invoke(null, List.of(workload));
        Object w = ((List<?>) list).get(0);
        var runMethod = w.getClass().getMethod("run");
        runMethod.setAccessible(true);
        Object result = runMethod.invoke(w);
        var value = result.getClass().getMethod("value");
        value.setAccessible(true);
        return (double) value.invoke(result);
    }

    private static ClassLoader loader(String classpath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(":")) {
            if (entry.endsWith("/*")) {
                try (var jars = Files.list(Path.of(entry.substring(0, entry.length() - 2)))) {
                    for (Path jar : jars.sorted().toList()) {
                        if (jar.toString().endsWith(".jar")) {
                            urls.add(jar.toUri().toURL());
                        }
                    }
                }
            } else {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), WorkloadAB.class.getClassLoader().getParent());
    }
}
