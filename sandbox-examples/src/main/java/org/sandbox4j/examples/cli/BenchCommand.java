package org.sandbox4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.sandbox4j.examples.bench.CliBenchmark;
import org.sandbox4j.examples.bench.ColdJvms;
import org.sandbox4j.examples.bench.ConcurrentSpawnBenchmark;
import org.sandbox4j.examples.bench.LockdownBenchmark;
import org.sandbox4j.examples.bench.SpawnBenchmark;
import org.sandbox4j.examples.bench.StartupBenchmark;
import org.sandbox4j.examples.cli.Main.UsageException;

/**
 * {@code sandbox4j bench spawn [--quick]}: runs {@link SpawnBenchmark} (and
 * {@link ConcurrentSpawnBenchmark}) with the JMH Runner API, one forked JVM per benchmark method,
 * and prints, as the last line, the medians in microseconds:
 * {@code RESULT spawn_us processbuilder=.. sandbox4j=.. sandbox4j_hostnet=.. bwrap=..}.
 * {@code sandbox4j bench startup} and {@code sandbox4j bench lockdown}: cold JVMs, see
 * {@link StartupBenchmark} and {@link LockdownBenchmark}; {@code sandbox4j bench cli}: the command
 * itself, {@link CliBenchmark}.
 */
final class BenchCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j bench spawn [--quick]",
            "       sandbox4j bench startup [--runs N]",
            "       sandbox4j bench lockdown [--runs N]",
            "       sandbox4j bench cli [--runs N]",
            "       sandbox4j bench gvisor [--quick]   the gvisor runtime beside the native jail (GvisorBenchmark):",
            "         spawn-to-exit of /bin/true and pdftotext over a 300-page PDF; prints",
            "         RESULT spawn_gvisor_us native=<median> gvisor=<median> and",
            "         RESULT pdftotext_gvisor_us native=<median> gvisor=<median>",
            "",
            "startup: start-to-exit of cold JVMs of this JVM (JAVA_HOME), interleaved, medians over N (default 11,",
            "  at least 11) each: a main that prints a line; one that starts one jail of /bin/true with",
            "  readOnlySystem(); one that calls SelfJail.enter and then prints a line. The last line is:",
            "  RESULT startup_ms plain_jvm=<median> first_jail=<median> selfjail=<median>",
            "lockdown: Lockdown.apply() in N fresh JVMs (default 9, at least 9) with 200 parked threads: no-exec",
            "  seccomp, Landlock (read-only /usr, /etc and the class path, one writable directory, TCP connect",
            "  to 443, no bind), RLIMIT_NOFILE, the capability drop. The last line is:",
            "  RESULT lockdown_ms threads=200 changes=<median> verify=<median>",
            "cli: start-to-exit of /bin/echo alone and of 'sandbox4j run --ro-system -- /bin/echo' (this command,",
            "  its java from JAVA_HOME or PATH), interleaved, medians over N (default 11, at least 11). The last line is:",
            "  RESULT cli_ms program=<median> sandbox4j_run=<median> overhead=<sandbox4j_run - program>",
            "",
            "spawn:",
            "JMH (SampleTime, microseconds, 1 fork): spawn-to-exit of /bin/true with",
            "  processbuilder     new ProcessBuilder(\"/bin/true\").start().waitFor()",
            "  sandbox4j          a jail with every namespace new, /usr read-only, /bin /lib /lib64 links, tmpfs /tmp, /proc, /dev",
            "                     (the default launcher: the prestarted one)",
            "  sandbox4j_hostnet  the same with network(Network.HOST)",
            "  bwrap              bwrap --unshare-all ... doing the same",
            "  sandbox4j_prestarted  the sandbox4j jail with Launcher.prestarted() named (the default, so as sandbox4j)",
            "  sandbox4j_perjail  the sandbox4j jail with Launcher.perJail(): a launcher process per jail",
            "  sandbox4j_cgroup   the sandbox4j jail with memoryLimit(256 MiB) and pidsLimit(64): a cgroup per jail",
            "Full: 5 x 2 s warmup + 5 x 5 s measurement per variant (about 3 min).",
            "--quick: 2 x 1 s warmup + 3 x 2 s measurement (under a minute).",
            "The RESULT lines, in order: " + ConcurrentSpawnBenchmark.THREADS + " threads at once (JMH Throughput, per second):",
            "  RESULT spawn_concurrent_per_s threads=" + ConcurrentSpawnBenchmark.THREADS + " processbuilder=<n> sandbox4j=<n>",
            "Then: RESULT spawn_cgroup_us sandbox4j_cgroup=<median> cgroup_cost=<median - sandbox4j>",
            "Then: RESULT spawn_perjail_us sandbox4j_perjail=<median>",
            "The line before the last is: RESULT spawn_prestarted_us sandbox4j_prestarted=<median>",
            "The last line is: RESULT spawn_us processbuilder=<median> sandbox4j=<median> sandbox4j_hostnet=<median> bwrap=<median>");

    private static final String[][] VARIANTS = {
        {"processBuilder", "processbuilder"},
        {"sandbox4j", "sandbox4j"},
        {"sandbox4jHostNet", "sandbox4j_hostnet"},
        {"bwrap", "bwrap"},
        {"sandbox4jPrestarted", "sandbox4j_prestarted"},
        {"sandbox4jPerJail", "sandbox4j_perjail"},
        {"sandbox4jCgroup", "sandbox4j_cgroup"},
    };

    private BenchCommand() {}

    /** {@code bench gvisor}: GvisorBenchmark, its own RESULT lines (the spawn line above is untouched). */
    private static int gvisor(List<String> args) throws UsageException {
        boolean quick = args.contains("--quick");
        for (String a : args) {
            if (!a.equals("--quick")) {
                throw new UsageException("bench gvisor: unknown option " + a + " (expected --quick)");
            }
        }
        try {
            org.sandbox4j.runtime.Gvisor.runsc();
        } catch (org.sandbox4j.runtime.RuntimeUnavailableException e) {
            throw new UsageException(e.getMessage());
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + org.sandbox4j.examples.bench.GvisorBenchmark.class.getName().replace(".", "\\.") + "\\.")
                .forks(1).shouldFailOnError(true).jvmArgs("--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m");
        if (quick) {
            o.warmupIterations(1).warmupTime(TimeValue.seconds(2)).measurementIterations(2).measurementTime(TimeValue.seconds(3));
        } else {
            o.warmupIterations(2).warmupTime(TimeValue.seconds(2)).measurementIterations(3).measurementTime(TimeValue.seconds(4));
        }
        Map<String, Double> median = new HashMap<>();
        try {
            for (RunResult r : new Runner(o.build()).run()) {
                String m = r.getParams().getBenchmark();
                median.put(m.substring(m.lastIndexOf('.') + 1), r.getPrimaryResult().getStatistics().getPercentile(50.0));
            }
        } catch (RunnerException e) {
            return Main.fail("the gvisor benchmark failed: " + e.getMessage());
        }
        for (String m : List.of("spawnNative", "spawnGvisor", "pdftotextNative", "pdftotextGvisor")) {
            if (!median.containsKey(m)) {
                return Main.fail("the gvisor benchmark produced no result for " + m);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "  gvisor/native spawn     = %.1f%n", median.get("spawnGvisor") / median.get("spawnNative"));
        System.out.printf(Locale.ROOT, "  gvisor/native pdftotext = %.2f%n", median.get("pdftotextGvisor") / median.get("pdftotextNative"));
        System.out.printf(Locale.ROOT, "RESULT pdftotext_gvisor_us native=%.1f gvisor=%.1f%n", median.get("pdftotextNative"),
                median.get("pdftotextGvisor"));
        System.out.printf(Locale.ROOT, "RESULT spawn_gvisor_us native=%.1f gvisor=%.1f%n", median.get("spawnNative"),
                median.get("spawnGvisor"));
        System.out.flush();
        return 0;
    }

    static int run(List<String> args) throws UsageException {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            System.out.println(HELP);
            return args.isEmpty() ? Main.EXIT_SETUP : 0;
        }
        if (args.get(0).equals("gvisor")) {
            return gvisor(args.subList(1, args.size()));
        }
        if (args.get(0).equals("startup") || args.get(0).equals("lockdown") || args.get(0).equals("cli")) {
            return coldJvms(args.get(0), args.subList(1, args.size()));
        }
        if (!args.get(0).equals("spawn")) {
            throw new UsageException("unknown benchmark '" + args.get(0) + "': expected spawn, startup, lockdown, cli or gvisor");
        }
        boolean quick = false;
        for (String a : args.subList(1, args.size())) {
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println(HELP);
                return 0;
            } else {
                throw new UsageException("bench spawn: unknown option " + a + " (expected --quick)");
            }
        }
        if (!Files.isExecutable(Path.of(SpawnBenchmark.BWRAP.get(0)))) {
            throw new UsageException("the spawn benchmark needs " + SpawnBenchmark.BWRAP.get(0)
                    + " (apt-get install bubblewrap)");
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + SpawnBenchmark.class.getName().replace(".", "\\.") + "\\.")
                .include("^" + ConcurrentSpawnBenchmark.class.getName().replace(".", "\\.") + "\\.")
                .forks(1)
                .shouldFailOnError(true)
                .jvmArgs("--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m");
        if (quick) {
            o.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(2));
        } else {
            o.warmupIterations(5).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(5));
        }
        Collection<RunResult> results;
        try {
            results = new Runner(o.build()).run();
        } catch (RunnerException e) {
            return Main.fail("the spawn benchmark failed: " + e.getMessage());
        }
        Map<String, Double> median = new HashMap<>();
        Map<String, Double> perSecond = new HashMap<>();
        Map<String, Long> samples = new HashMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            boolean concurrent = method.startsWith(ConcurrentSpawnBenchmark.class.getName() + ".");
            method = method.substring(method.lastIndexOf('.') + 1);
            if (concurrent) {
                perSecond.put(method, r.getPrimaryResult().getScore());
                continue;
            }
            median.put(method, r.getPrimaryResult().getStatistics().getPercentile(50.0));
            samples.put(method, r.getPrimaryResult().getStatistics().getN());
        }
        for (String[] v : VARIANTS) {
            if (!median.containsKey(v[0])) {
                return Main.fail("the spawn benchmark produced no result for " + v[1]);
            }
        }
        if (!perSecond.containsKey("processBuilder") || !perSecond.containsKey("sandbox4j")) {
            return Main.fail("the concurrent spawn benchmark produced no result");
        }
        System.out.println();
        System.out.println("Spawn-to-exit of /bin/true, medians (" + (quick ? "quick" : "full") + " run):");
        for (String[] v : VARIANTS) {
            System.out.printf(Locale.ROOT, "  %-18s %10.1f us  (%d samples)%n", v[1], median.get(v[0]), samples.get(v[0]));
        }
        double sb = median.get("sandbox4j");
        System.out.printf(Locale.ROOT, "  sandbox4j/bwrap          = %.2f (target <= 0.5)%n", sb / median.get("bwrap"));
        System.out.printf(Locale.ROOT, "  sandbox4j/processbuilder = %.2f (target <= 1.6)%n", sb / median.get("processBuilder"));
        System.out.printf(Locale.ROOT, "  prestarted/sandbox4j     = %.2f%n", median.get("sandbox4jPrestarted") / sb);
        System.out.printf(Locale.ROOT, "  perjail/processbuilder   = %.2f%n", median.get("sandbox4jPerJail") / median.get("processBuilder"));
        System.out.printf(Locale.ROOT, "  cgroup/sandbox4j         = %.2f%n", median.get("sandbox4jCgroup") / sb);
        System.out.printf(Locale.ROOT, "  %d threads at once: processbuilder %.1f/s, sandbox4j %.1f jails/s, sandbox4j/processbuilder = %.2f%n",
                ConcurrentSpawnBenchmark.THREADS, perSecond.get("processBuilder"), perSecond.get("sandbox4j"),
                perSecond.get("sandbox4j") / perSecond.get("processBuilder"));
        System.out.printf(Locale.ROOT, "RESULT spawn_concurrent_per_s threads=%d processbuilder=%.1f sandbox4j=%.1f%n",
                ConcurrentSpawnBenchmark.THREADS, perSecond.get("processBuilder"), perSecond.get("sandbox4j"));
        System.out.printf(Locale.ROOT, "RESULT spawn_cgroup_us sandbox4j_cgroup=%.1f cgroup_cost=%.1f%n", median.get("sandbox4jCgroup"),
                median.get("sandbox4jCgroup") - sb);
        System.out.printf(Locale.ROOT, "RESULT spawn_perjail_us sandbox4j_perjail=%.1f%n", median.get("sandbox4jPerJail"));
        System.out.printf(Locale.ROOT, "RESULT spawn_prestarted_us sandbox4j_prestarted=%.1f%n", median.get("sandbox4jPrestarted"));
        System.out.printf(Locale.ROOT, "RESULT spawn_us processbuilder=%.1f sandbox4j=%.1f sandbox4j_hostnet=%.1f bwrap=%.1f%n",
                median.get("processBuilder"), sb, median.get("sandbox4jHostNet"), median.get("bwrap"));
        System.out.flush();
        return 0;
    }

    /** {@code bench startup|lockdown [--runs N]}. */
    private static int coldJvms(String which, List<String> args) throws UsageException {
        boolean startup = which.equals("startup");
        int min = which.equals("lockdown") ? 9 : 11;
        int runs = min;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(HELP);
                return 0;
            } else if (a.equals("--runs") && i + 1 < args.size()) {
                try {
                    runs = Integer.parseInt(args.get(++i));
                } catch (NumberFormatException e) {
                    throw new UsageException("bench " + which + ": --runs takes a number, not " + args.get(i));
                }
                if (runs < min) {
                    throw new UsageException("bench " + which + ": --runs must be at least " + min);
                }
            } else {
                throw new UsageException("bench " + which + ": unknown option " + a + " (expected --runs N)");
            }
        }
        System.out.println("JVM: " + ColdJvms.java() + " (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version") + ")");
        try {
            if (which.equals("cli")) {
                System.out.println("the sandbox4j command over the program it runs, start to exit, " + runs + " runs each, interleaved:");
                double[] m = CliBenchmark.run(runs, System.out);
                System.out.printf(Locale.ROOT, "RESULT cli_ms program=%.1f sandbox4j_run=%.1f overhead=%.1f%n", m[0], m[1], m[1] - m[0]);
            } else if (startup) {
                System.out.println("startup, start to exit, " + runs + " cold JVMs each, interleaved:");
                double[] m = StartupBenchmark.run(runs, System.out);
                System.out.printf(Locale.ROOT, "RESULT startup_ms plain_jvm=%.1f first_jail=%.1f selfjail=%.1f%n", m[0], m[1], m[2]);
            } else {
                int threads = 200;
                System.out.println("Lockdown.apply() with " + threads + " parked threads, " + runs + " fresh JVMs:");
                double[] m = LockdownBenchmark.run(runs, threads, System.out);
                System.out.printf(Locale.ROOT, "  medians: changes %.2f ms, verification %.2f ms, whole apply() %.1f ms%n", m[0], m[1], m[2]);
                System.out.printf(Locale.ROOT, "RESULT lockdown_ms threads=%d changes=%.2f verify=%.2f%n", threads, m[0], m[1]);
            }
        } catch (Exception e) {
            return Main.fail("the " + which + " benchmark failed: " + e.getMessage());
        }
        System.out.flush();
        return 0;
    }
}
