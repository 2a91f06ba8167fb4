package org.sandbox4j.examples.workers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.sandbox4j.worker.WorkerException;
import org.sandbox4j.worker.WorkerPool;
import org.sandbox4j.worker.WorkerSpec;

/** {@code image FILE...}: each image's size, decoded by ImageIO in a jailed JVM with a 64 MiB heap. */
public final class ImageExample {
    private ImageExample() {}

    public static void main(String[] args) throws Exception {
        WorkerSpec spec = WorkerSpec.builder().heap(64L << 20).build(); // a decompression bomb ends here
        try (WorkerPool pool = WorkerPool.builder(spec, ImageHandler.class).size(1)
                .taskTimeout(Duration.ofSeconds(10)).build()) {
            for (String file : args) {
                try {
                    System.out.println(file + ": " + new String(pool.call(Files.readAllBytes(Path.of(file))), StandardCharsets.UTF_8));
                } catch (WorkerException e) {
                    System.out.println(file + ": " + e.kind());
                }
            }
        }
    }
}
