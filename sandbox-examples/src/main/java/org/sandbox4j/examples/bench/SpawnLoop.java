package org.sandbox4j.examples.bench;

import java.util.Arrays;
import java.util.Locale;
import org.sandbox4j.Launcher;
import org.sandbox4j.Network;
import org.sandbox4j.Sandbox;

/**
 * The spawn benchmark's jail as a plain loop, for the runs JMH cannot make (as uid 65534, where
 * {@code bench spawn}'s cgroup variant cannot run): ProcessBuilder, the jail with a launcher per
 * jail, through the prestarted launcher, and through it with the host's network, interleaved
 * round by round, medians of {@code N} rounds after 50 warm-up rounds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'sandbox-examples/target/sandbox-examples.jar:sandbox-examples/target/lib/*' \
 *     org.sandbox4j.examples.bench.SpawnLoop 400
 * </pre>
 *
 * <p>Prints one line: {@code RESULT spawn_loop_us processbuilder=.. perjail=.. prestarted=.. prestarted_hostnet=..}.
 */
public final class SpawnLoop {
    private SpawnLoop() {}

    /**
     * Runs the loop.
     *
     * @param args the number of measured rounds (default 400)
     * @throws Exception when a variant fails
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        Sandbox perJail = SpawnBenchmark.jailBuilder().launcher(Launcher.perJail()).build();
        Sandbox prestarted = SpawnBenchmark.jailBuilder().launcher(Launcher.prestarted()).build();
        Sandbox hostNet = SpawnBenchmark.jailBuilder().network(Network.HOST).launcher(Launcher.prestarted()).build();
        ProcessBuilder plain = new ProcessBuilder("/bin/true");
        long[][] t = new long[4][n];
        for (int i = -50; i < n; i++) {
            for (int v = 0; v < 4; v++) {
                long start = System.nanoTime();
                Process p = v == 0 ? plain.start() : (v == 1 ? perJail : v == 2 ? prestarted : hostNet).start("/bin/true");
                SpawnBenchmark.finish(p, "variant " + v);
                if (i >= 0) {
                    t[v][i] = System.nanoTime() - start;
                }
            }
        }
        double[] median = new double[4];
        for (int v = 0; v < 4; v++) {
            Arrays.sort(t[v]);
            median[v] = t[v][n / 2] / 1000.0;
        }
        System.out.printf(Locale.ROOT, "RESULT spawn_loop_us processbuilder=%.1f perjail=%.1f prestarted=%.1f prestarted_hostnet=%.1f%n",
                median[0], median[1], median[2], median[3]);
    }
}
