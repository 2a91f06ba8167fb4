package org.sandbox4j.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sandbox4j.Sandbox;
import org.sandbox4j.runtime.JailRuntime;

/**
 * The cost of gVisor beside the native jail, in one run: spawn-to-exit of /bin/true in {@link
 * SpawnBenchmark#jailBuilder()}'s jail under each runtime, and a system-call-heavy workload,
 * pdftotext over a generated 300-page PDF, in a {@code readOnlySystem()} jail under each.
 *
 * <p>Run with {@code sandbox4j bench gvisor [--quick]}, which prints the medians as RESULT lines.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 4)
public class GvisorBenchmark {
    private Sandbox nativeJail;
    private Sandbox gvisorJail;
    private Sandbox nativePdf;
    private Sandbox gvisorPdf;
    private Path dir;

    /** A PDF of {@code pages} pages of text, made with PDFBox. */
    static byte[] pdf(int pages) throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (int p = 0; p < pages; p++) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.beginText();
                    cs.setFont(font, 10);
                    cs.newLineAtOffset(50, 740);
                    for (int l = 0; l < 60; l++) {
                        cs.showText("page " + p + " line " + l + ": the quick brown fox jumps over the lazy dog");
                        cs.newLineAtOffset(0, -12);
                    }
                    cs.endText();
                }
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    @Setup
    public void setup() throws Exception {
        dir = Files.createTempDirectory("sandbox4j-gvisor-bench-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(dir.resolve("doc.pdf"), pdf(300));
        Files.setPosixFilePermissions(dir.resolve("doc.pdf"), PosixFilePermissions.fromString("rw-r--r--"));
        nativeJail = SpawnBenchmark.jailBuilder().build();
        gvisorJail = SpawnBenchmark.jailBuilder().runtime(JailRuntime.GVISOR).build();
        Sandbox.Builder pdf = Sandbox.builder().readOnlySystem().tmpfs("/tmp").readOnly(dir.toString(), "/in")
                .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).redirectInput(Redirect.from(new java.io.File("/dev/null")));
        nativePdf = pdf.build();
        gvisorPdf = pdf.runtime(JailRuntime.GVISOR).build();
        try {
            for (Sandbox s : new Sandbox[] {nativeJail, gvisorJail}) {
                check(run(s, "/bin/true"), s);
            }
            check(pdftotextNative(), nativePdf);
            check(pdftotextGvisor(), gvisorPdf);
        } catch (Exception | Error e) {
            tearDown(); // JMH runs no tear-down after a failed setup
            throw e;
        }
    }

    private static void check(int status, Sandbox s) {
        if (status != 0) {
            throw new IllegalStateException("the benchmark's jail exited with " + status + ": " + s);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(dir.resolve("doc.pdf"));
        Files.deleteIfExists(dir);
    }

    private static int run(Sandbox s, String... cmd) throws Exception {
        Process p = s.start(cmd);
        p.getOutputStream().close();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor();
    }

    @Benchmark
    public int spawnNative() throws Exception {
        return run(nativeJail, "/bin/true");
    }

    @Benchmark
    public int spawnGvisor() throws Exception {
        return run(gvisorJail, "/bin/true");
    }

    @Benchmark
    public int pdftotextNative() throws Exception {
        return nativePdf.start("/usr/bin/pdftotext", "/in/doc.pdf", "-").waitFor();
    }

    @Benchmark
    public int pdftotextGvisor() throws Exception {
        return gvisorPdf.start("/usr/bin/pdftotext", "/in/doc.pdf", "-").waitFor();
    }
}
