package org.sandbox4j.examples.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailExit;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.worker.ExecOnce;
import org.sandbox4j.worker.WorkerException;
import org.sandbox4j.worker.WorkerException.Kind;
import org.sandbox4j.worker.WorkerPool;

/** The four examples, each against the hostile input it exists for, as root and as uid 65534. */
@Tag("kernel")
class ExamplesTest {
    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Jails.Mode.class)
    void pdfHostileInputsGetTypedFailuresAndThePoolKeepsServing(Jails.Mode mode) throws Exception {
        byte[] good = Documents.goodPdf("Hello jail");
        byte[] tree = Documents.hugePageTree();
        byte[] bomb = Documents.decompressionBombPdf();
        byte[] xref = Documents.malformedXref();
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = WorkerPool.builder(Jails.spec().heap(96L << 20).build(), PdfTextHandler.class)
                        .size(2).taskTimeout(Duration.ofSeconds(4)).build()) {
            assertTrue(str(pool.call(good)).contains("Hello jail"));
            for (byte[] hostile : new byte[][] {tree, bomb, xref}) {
                long t0 = System.nanoTime();
                WorkerException e = assertThrows(WorkerException.class, () -> pool.call(hostile));
                System.out.println(mode + " pdf: " + e.getMessage().lines().findFirst().orElse("") + " after "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                assertTrue(Set.of(Kind.HANDLER_ERROR, Kind.TIMEOUT, Kind.OUT_OF_MEMORY, Kind.CRASH).contains(e.kind()),
                        e.getMessage());
                assertTrue(str(pool.call(good)).contains("Hello jail"), "the pool still serves");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jails.Mode.class)
    void xmlExternalEntitiesCannotReachHostFilesOrPorts(Jails.Mode mode) throws Exception {
        Path secretFile = Jails.dir().resolve("xml-secret.txt");
        Files.writeString(secretFile, "TOP-SECRET-42");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] fileXxe = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://" + secretFile
                + "\">]><r>&x;</r>").getBytes(StandardCharsets.UTF_8);
        // the parser really is insecure: in this JVM it hands out the secret
        assertEquals("TOP-SECRET-42", str(new XmlHandler().handle(fileXxe)));
        try (AutoCloseable m = mode.activate(); ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                WorkerPool pool = WorkerPool.builder(Jails.spec().build(), XmlHandler.class).size(1).build()) {
            WorkerException file = assertThrows(WorkerException.class, () -> pool.call(fileXxe));
            assertEquals(Kind.HANDLER_ERROR, file.kind());
            assertEquals("java.io.FileNotFoundException", file.remoteClass().orElseThrow(), file.getMessage());
            assertFalse(file.getMessage().contains("TOP-SECRET"));

            byte[] netXxe = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:"
                    + server.getLocalPort() + "/steal\">]><r>&x;</r>").getBytes(StandardCharsets.UTF_8);
            WorkerException net = assertThrows(WorkerException.class, () -> pool.call(netXxe));
            assertEquals(Kind.HANDLER_ERROR, net.kind(), net.getMessage());
            assertTrue(net.remoteClass().orElseThrow().startsWith("java.net."), net.getMessage());
            server.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, server::accept, "the host port saw no connection");

            assertEquals("fine", str(pool.call("<r>fine</r>".getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void imageDecompressionBombEndsInOutOfMemoryNotInTheApplication() throws Exception {
        BufferedImage img = new BufferedImage(10, 7, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        try (WorkerPool pool = WorkerPool.builder(Jails.spec().heap(64L << 20).build(), ImageHandler.class).size(1)
                .taskTimeout(Duration.ofSeconds(10)).build()) {
            assertEquals("10x7", str(pool.call(png.toByteArray())));
            WorkerException e = assertThrows(WorkerException.class, () -> pool.call(Documents.pngBomb()));
            assertEquals(Kind.OUT_OF_MEMORY, e.kind(), e.getMessage());
            assertEquals("10x7", str(pool.call(png.toByteArray())));
        }
    }

    @ParameterizedTest
    @EnumSource(Jails.Mode.class)
    void pdftotextRunsJailedAndCannotExecAgain(Jails.Mode mode) throws Exception {
        Sandbox jail = ExternalExample.sandbox();
        try (AutoCloseable m = mode.activate()) {
            ExternalExample.Result r = ExternalExample.pdfToText(jail, Documents.goodPdf("Hello jail"));
            assertEquals(JailExit.exited(0), r.exit(), r.errors());
            assertTrue(r.text().contains("Hello jail"), r.text());
            ExternalExample.Result bad = ExternalExample.pdfToText(jail, Documents.malformedXref());
            assertNotEquals(0, bad.exit().exitValue());

            // the same filter around a shell: the shell starts (the first exec), its exec does not
            Sandbox sh = Sandbox.builder().readOnlySystem().tmpfs("/tmp")
                    .seccomp(ExecOnce.wrap(SeccompProfiles.policy(SeccompProfiles.DOCUMENT_PARSER))).build();
            SandboxedProcess p = sh.start("/bin/sh", "-c", "echo started; exec /bin/true");
            String out = str(p.getInputStream().readAllBytes());
            String err = str(p.getErrorStream().readAllBytes());
            JailExit exit = p.jailExit();
            assertEquals("started\n", out);
            assertTrue(err.contains("Operation not permitted") || err.contains("Permission denied"), err);
            assertNotEquals(0, exit.exitValue());
        }
    }

    /**
     * {@code sandbox4j example tika}, shortened (one timed run, no start-up timing): benign documents
     * give their text, each hostile one is contained (a typed failure or safe output) and the pool
     * keeps serving; the RESULT lines keep their contract form.
     */
    @ParameterizedTest
    @EnumSource(Jails.Mode.class)
    void tikaExtractsBenignDocumentsAndContainsHostileOnes(Jails.Mode mode) throws Exception {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        TikaExample.Report r;
        try (AutoCloseable m = mode.activate()) {
            r = TikaExample.run(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8), Jails.classpath(), null, 1,
                    Duration.ofSeconds(4), false);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        java.util.Map<String, String> o = r.outcomes();
        for (String doc : new String[] {"text", "html", "pdf", "docx", "odt"}) {
            assertTrue(o.get(doc).startsWith("text: "), doc + ": " + o.get(doc));
        }
        assertTrue(o.get("pdf").contains("Hello PDF"), o.get("pdf"));
        assertTrue(o.get("docx").contains("Hello DOCX"), o.get("docx"));
        assertTrue(o.get("odt").contains("Hello ODT"), o.get("odt"));
        assertTrue(o.get("zip-bomb").startsWith("HANDLER_ERROR"), o.get("zip-bomb"));
        assertTrue(o.get("xxe").startsWith("text: ") && !o.get("xxe").contains("TOP-SECRET"), o.get("xxe"));
        assertTrue(o.get("billion-laughs").startsWith("HANDLER_ERROR"), o.get("billion-laughs"));
        assertTrue(o.get("huge-image").startsWith("text: ") || o.get("huge-image").startsWith("HANDLER_ERROR"),
                o.get("huge-image"));
        assertTrue(Set.of("HANDLER_ERROR", "CRASH", "OUT_OF_MEMORY").contains(o.get("nested-pdf").split(":")[0]),
                o.get("nested-pdf"));
        assertTrue(o.get("parser-loop").startsWith("TIMEOUT"), o.get("parser-loop"));
        assertFalse(out.contains("POOL BROKEN"), out);
        List<String> results = r.results();
        assertTrue(results.get(results.size() - 1).matches("RESULT tika_ms inprocess=\\d+ pool=\\d+ forkparser=\\d+"),
                results.toString());
        assertEquals(6, results.size(), results.toString());
        assertTrue(results.get(0).matches("RESULT tika_ms doc=text inprocess=\\d+ pool=\\d+ forkparser=\\d+"),
                results.toString());
    }
}
