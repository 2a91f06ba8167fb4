package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A seeded mutation fuzzer for the text formats (seccomp policies, configuration files), in the
 * spirit of the launcher's decoder fuzz loop ({@code sandbox-native/test/spec_test.c}): start from
 * valid inputs, mutate them (flip, delete, insert tokens, duplicate and repeat chunks, splice, truncate),
 * mix in inputs from structured generators, and require each one to be accepted or refused with the
 * format's own exception, within a CPU-time cap.
 *
 * <p>Time is thread CPU time, not wall-clock time: the machines that run the suite are shared, and a
 * parser that takes 5 ms of CPU can take 100 ms of wall time there. The worst wall time is reported too.
 */
public final class TextFuzz {
    private TextFuzz() {}

    /** What one input did: accepted, or refused with the expected exception (checked by the target). */
    public enum Verdict { ACCEPTED, REFUSED }

    /** The result of a run, for the test's report line. */
    public record Stats(String name, int inputs, int accepted, long worstCpuNanos, long worstWallNanos,
            String worstInput) {
        @Override
        public String toString() {
            return String.format("%s: %d inputs, %d accepted, worst %.1f ms CPU / %.1f ms wall (input of %d chars: %s)",
                    name, inputs, accepted, worstCpuNanos / 1e6, worstWallNanos / 1e6, worstInput.length(),
                    excerpt(worstInput.substring(0, Math.min(100, worstInput.length()))));
        }
    }

    /**
     * Runs {@code inputs} inputs through {@code target}; each is a mutation of a corpus entry or, one
     * time in four, the output of {@code generator}. Fails on the first input that throws anything
     * (the target catches the exception it expects and returns REFUSED) or needs more than {@code
     * cpuCapNanos} of CPU. On a machine so loaded that {@code wallBudgetNanos} passes first, it stops
     * early, but not before a fifth of the inputs (the same seeded sequence, cut shorter).
     */
    public static Stats run(String name, long seed, int inputs, List<String> corpus, List<String> dictionary,
            Function<Random, String> generator, Function<String, Verdict> target, long cpuCapNanos,
            long wallBudgetNanos) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assertTrue(threads.isCurrentThreadCpuTimeSupported(), "thread CPU time is needed to time inputs");
        Random r = new Random(seed);
        int accepted = 0;
        long worstCpu = 0;
        long worstWall = 0;
        String worst = "";
        long start = System.nanoTime();
        int done = 0;
        for (int i = 0; i < inputs; i++, done++) {
            if (i >= inputs / 5 && System.nanoTime() - start > wallBudgetNanos) {
                break;
            }
            String input = r.nextInt(4) == 0 ? generator.apply(r)
                    : mutate(r, corpus.get(r.nextInt(corpus.size())), corpus, dictionary);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            Verdict v;
            try {
                v = target.apply(input);
            } catch (Throwable t) { // StackOverflowError, OutOfMemoryError, any RuntimeException
                throw new AssertionError(name + " seed " + seed + " input #" + i + " threw " + t + " on "
                        + excerpt(input), t);
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            if (cpu > cpuCapNanos) {
                fail(String.format("%s seed %d input #%d took %.0f ms of CPU (cap %.0f ms) on %s", name, seed, i,
                        cpu / 1e6, cpuCapNanos / 1e6, excerpt(input)));
            }
            if (cpu > worstCpu) {
                worstCpu = cpu;
                worst = input;
            }
            worstWall = Math.max(worstWall, wall);
            if (v == Verdict.ACCEPTED) {
                accepted++;
            }
        }
        return new Stats(name, done, accepted, worstCpu, worstWall, worst);
    }

    /**
     * Runs {@code work}, prints its CPU and wall time as {@code name: x ms CPU, y ms wall} (the
     * regression tests' record of what each pathological input costs), and fails above 1 s of CPU.
     */
    public static <T> T timed(String name, Supplier<T> work) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        T result = work.get();
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        System.out.printf("%s: %.1f ms CPU, %.1f ms wall%n", name, cpu / 1e6, (System.nanoTime() - wall0) / 1e6);
        assertTrue(cpu < 1_000_000_000L, name + " took " + cpu / 1_000_000 + " ms of CPU");
        return result;
    }

    /** One to four mutations of {@code seed}. */
    public static String mutate(Random r, String seed, List<String> corpus, List<String> dictionary) {
        StringBuilder sb = new StringBuilder(seed);
        int muts = 1 + r.nextInt(4);
        for (int m = 0; m < muts; m++) {
            int n = sb.length();
            int at = n == 0 ? 0 : r.nextInt(n + 1);
            switch (r.nextInt(9)) {
                case 0: // replace one character
                    if (at < n) {
                        sb.setCharAt(at, (char) (r.nextBoolean() ? 32 + r.nextInt(95) : r.nextInt(0x3000)));
                    }
                    break;
                case 1: { // delete a run
                    int k = Math.min(n - at, 1 + r.nextInt(16));
                    sb.delete(at, at + k);
                    break;
                }
                case 2: // insert a token
                case 3:
                    sb.insert(at, dictionary.get(r.nextInt(dictionary.size())));
                    break;
                case 4: { // duplicate a chunk
                    int k = Math.min(n - at, 1 + r.nextInt(64));
                    sb.insert(at, sb.substring(at, at + k));
                    break;
                }
                case 5: // truncate
                    sb.setLength(at);
                    break;
                case 6: { // splice a chunk of another corpus entry
                    String other = corpus.get(r.nextInt(corpus.size()));
                    int from = r.nextInt(other.length() + 1);
                    int k = Math.min(other.length() - from, 1 + r.nextInt(80));
                    sb.insert(at, other, from, from + k);
                    break;
                }
                case 7: { // repeat a chunk many times: the size and nesting blow-ups
                    int k = Math.min(n - at, 1 + r.nextInt(24));
                    String chunk = k > 0 ? sb.substring(at, at + k) : dictionary.get(r.nextInt(dictionary.size()));
                    int times = 1 + r.nextInt(r.nextBoolean() ? 50 : 5000);
                    sb.insert(at, chunk.repeat(Math.min(times, (1 << 20) / Math.max(1, chunk.length()))));
                    break;
                }
                default: // a line break or a space where none was
                    sb.insert(at, r.nextBoolean() ? "\n" : " ");
                    break;
            }
        }
        return sb.toString();
    }

    /** The start of a long input, for a failure message that can be pasted into a test. */
    public static String excerpt(String input) {
        String s = input.length() > 300 ? input.substring(0, 300) + "... (" + input.length() + " chars)" : input;
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
    }
}
