package org.sandbox4j.examples.workers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.tika.fork.ForkParser;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.sax.BodyContentHandler;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.worker.Extracted;
import org.sandbox4j.worker.WorkerException;
import org.sandbox4j.worker.WorkerPool;
import org.sandbox4j.worker.WorkerSpec;

/**
 * {@code sandbox4j example tika}: Apache Tika in a pool of jailed worker JVMs, on a corpus it makes
 * itself (text, HTML, PDF, DOCX, ODT, and hostile documents), timed against Tika in this JVM and
 * Tika's own ForkParser in the same run. docs/cookbook.md explains the output.
 */
public final class TikaExample {
    private TikaExample() {}

    /** What happened to each document ({@code name -> "text: ..."} or the failure kind), for the tests. */
    public record Report(Map<String, String> outcomes, List<String> results) {}

    public static void main(String[] args) throws Exception {
        // the jars of this JVM's class path (the CLI's jar and lib/): Tika needs ~70 of them; no
        // directory, so the workers can use class-data sharing
        List<Path> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p) && e.endsWith(".jar")) {
                jars.add(p.toAbsolutePath());
            }
        }
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "sandbox4j-example-cds-" + ProcessHandle.current().pid());
        try {
            run(System.out, jars, cache, 5, Duration.ofSeconds(8), true);
        } finally {
            deleteTree(cache);
        }
    }

    /**
     * Runs the example.
     *
     * @param classpath the workers' class path (this module's classes and Tika's jars)
     * @param cdsCache where the workers' class-data sharing archive goes, or null for none
     * @param reps timed runs per document and kind
     * @param taskTimeout the pool's task timeout (the looping document runs into it)
     * @param measureStart whether to time fresh worker starts too (several JVM starts of Tika)
     */
    public static Report run(PrintStream out, List<Path> classpath, @Nullable Path cdsCache, int reps,
            Duration taskTimeout, boolean measureStart) throws Exception {
        Path dir = Files.createTempDirectory("sandbox4j-tika-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-TIKA");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> outcomes = new LinkedHashMap<>();
        List<String> results = new ArrayList<>();
        try {
            WorkerSpec.Builder b = WorkerSpec.builder().classpath(classpath).heap(256L << 20).tmpSize(64L << 20);
            WorkerSpec spec = b.build();
            WorkerSpec cdsSpec = cdsCache == null ? spec : b.classDataSharing(cdsCache).build();
            out.println("== corpus: made now, nothing downloaded");
            Map<String, byte[]> benign = TikaCorpus.benign();
            Map<String, byte[]> hostile = TikaCorpus.hostile(secret.toString());
            try (WorkerPool pool = WorkerPool.builder(cdsSpec, TikaHandler.class).size(2)
                    .taskTimeout(taskTimeout).startTimeout(Duration.ofSeconds(60)).build()) {
                out.println("== benign documents, extracted in the pool");
                for (Map.Entry<String, byte[]> d : benign.entrySet()) {
                    Extracted e = pool.extract(new ByteArrayInputStream(d.getValue()));
                    String text = e.text().strip().replaceAll("\\s+", " ");
                    outcomes.put(d.getKey(), "text: " + text);
                    out.printf("%-15s %-60s Content-Type: %s%n", d.getKey(), cut(text, 60), e.metadata().get("Content-Type"));
                }
                out.println("== hostile documents: each contained, the pool keeps serving");
                for (Map.Entry<String, byte[]> d : hostile.entrySet()) {
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        Extracted e = pool.extract(new ByteArrayInputStream(d.getValue()));
                        String text = e.text().strip().replaceAll("\\s+", " ");
                        outcome = "text: " + cut(text, 60) + " (" + e.text().length() + " chars)";
                    } catch (WorkerException e) {
                        outcome = e.getMessage().lines().findFirst().orElse(""); // "KIND: what happened"
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    String still = pool.extract(new ByteArrayInputStream(benign.get("text"))).text().contains("Hello")
                            ? "pool serves" : "POOL BROKEN";
                    outcomes.put(d.getKey(), outcome);
                    out.printf("%-15s %s [%d ms; %s]%n", d.getKey(), cut(outcome, 150), ms, still);
                }
                out.println("== timings, " + reps + " runs each (median ms): in this JVM, in the pool, Tika's ForkParser");
                timings(out, benign, pool, reps, results);
                if (!measureStart) {
                    return new Report(outcomes, results);
                }
                out.println("== fresh worker start (median ms): plain JVM, jailed, jailed with CDS");
                int n = Math.max(1, reps / 2);
                String start = "RESULT tika_worker_start_ms plain_jvm=" + plainStart(spec, n) + " jail=" + poolStart(spec, n)
                        + " jail_cds=" + poolStart(cdsSpec, n);
                out.println(start);
                results.add(start);
            }
        } finally {
            deleteTree(dir);
        }
        return new Report(outcomes, results);
    }

    private static void timings(PrintStream out, Map<String, byte[]> benign, WorkerPool pool, int reps,
            List<String> results) throws Exception {
        AutoDetectParser local = new AutoDetectParser();
        List<Long> allLocal = new ArrayList<>();
        List<Long> allPool = new ArrayList<>();
        List<Long> allFork = new ArrayList<>();
        ForkParser fork = new ForkParser(TikaExample.class.getClassLoader(), new AutoDetectParser());
        fork.setJavaCommand(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Djava.awt.headless=true"));
        fork.setPoolSize(1);
        try {
            for (Map.Entry<String, byte[]> d : benign.entrySet()) {
                byte[] doc = d.getValue();
                List<Long> l = new ArrayList<>();
                List<Long> p = new ArrayList<>();
                List<Long> f = new ArrayList<>();
                for (int i = 0; i <= reps; i++) { // the first of each is a warm-up
                    long t0 = System.nanoTime();
                    TikaHandler.parse(local, new ByteArrayInputStream(doc), new ByteArrayOutputStream());
                    long t1 = System.nanoTime();
                    pool.extract(new ByteArrayInputStream(doc));
                    long t2 = System.nanoTime();
                    fork.parse(new ByteArrayInputStream(doc), new BodyContentHandler(-1), new Metadata(), new ParseContext());
                    long t3 = System.nanoTime();
                    if (i > 0) {
                        l.add(t1 - t0);
                        p.add(t2 - t1);
                        f.add(t3 - t2);
                    }
                }
                allLocal.addAll(l);
                allPool.addAll(p);
                allFork.addAll(f);
                String line = "RESULT tika_ms doc=" + d.getKey() + " inprocess=" + ms(median(l)) + " pool=" + ms(median(p))
                        + " forkparser=" + ms(median(f));
                out.println(line);
                results.add(line);
            }
        } finally {
            fork.close();
        }
        String line = "RESULT tika_ms inprocess=" + ms(median(allLocal)) + " pool=" + ms(median(allPool))
                + " forkparser=" + ms(median(allFork));
        out.println(line);
        results.add(line);
    }

    /** A fresh pool of one worker, up to its READY (the JVM start and Tika's AutoDetectParser). */
    private static long poolStart(WorkerSpec spec, int reps) throws Exception {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i <= reps; i++) {
            long t0 = System.nanoTime();
            try (WorkerPool pool = WorkerPool.builder(spec, TikaHandler.class).size(1)
                    .startTimeout(Duration.ofSeconds(60)).build()) {
                if (i > 0) { // the first makes the CDS archive when that is on
                    l.add(System.nanoTime() - t0);
                }
            }
        }
        return ms(median(l));
    }

    /** The same worker command line as a plain process, no jail: up to its READY frame. */
    private static long plainStart(WorkerSpec spec, int reps) throws Exception {
        List<String> cmd = spec.command("org.sandbox4j.worker.WorkerMain", List.of(TikaHandler.class.getName(), "1000"));
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (DataInputStream in = new DataInputStream(p.getInputStream())) {
                in.readFully(new byte[9]); // the READY frame: magic, status, length 0
                l.add(System.nanoTime() - t0);
                p.getOutputStream().close();
                p.waitFor();
            }
        }
        return ms(median(l));
    }

    private static long median(List<Long> l) {
        List<Long> s = new ArrayList<>(l);
        s.sort(null);
        return s.isEmpty() ? -1 : s.get(s.size() / 2);
    }

    private static long ms(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1e6);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(d)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
