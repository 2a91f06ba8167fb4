package org.sandbox4j.examples.workers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.sandbox4j.worker.WorkerException;
import org.sandbox4j.worker.WorkerPool;
import org.sandbox4j.worker.WorkerSpec;

/**
 * {@code pdf FILE...}: the text of each PDF, extracted by PDFBox in pooled jailed JVMs. A hostile
 * file costs at most one worker and 10 seconds; the others go on.
 */
public final class PdfExample {
    private PdfExample() {}

    public static void main(String[] args) throws Exception {
        // PDFBox is a dependency of the handler: its jar is shown besides the handler's own entry
        WorkerSpec spec = WorkerSpec.builder().heap(128L << 20).classpathOf(org.apache.pdfbox.pdmodel.PDDocument.class).build();
        try (WorkerPool pool = WorkerPool.builder(spec, PdfTextHandler.class)
                .size(2).taskTimeout(Duration.ofSeconds(10)).recycleAfter(100).build()) {
            for (String file : args) {
                try {
                    byte[] text = pool.call(Files.readAllBytes(Path.of(file)));
                    System.out.println("== " + file + "\n" + new String(text, StandardCharsets.UTF_8));
                } catch (WorkerException e) {
                    System.out.println("== " + file + ": rejected, " + e.kind() + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }
}
