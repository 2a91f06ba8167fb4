package org.sandbox4j.examples.workers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.sandbox4j.worker.WorkerException;
import org.sandbox4j.worker.WorkerPool;
import org.sandbox4j.worker.WorkerSpec;

/** {@code xml FILE...}: the text content of each XML document, parsed in a jailed JVM. */
public final class XmlExample {
    private XmlExample() {}

    public static void main(String[] args) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(WorkerSpec.builder().build(), XmlHandler.class)
                .size(1).taskTimeout(Duration.ofSeconds(5)).build()) {
            for (String file : args) {
                try {
                    System.out.println(file + ": " + new String(pool.call(Files.readAllBytes(Path.of(file))), StandardCharsets.UTF_8));
                } catch (WorkerException e) {
                    System.out.println(file + ": " + e.kind() + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }
}
