package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;

/**
 * Class-data sharing for workers: the archive is made once per class path in the private cache,
 * reused, mapped by the worker (with -Xshare:on a worker that could not map it would not start), and
 * read-only to the jail.
 */
@Tag("kernel")
class WorkerCdsTest {
    /** The worker's classes as one jar (HotSpot archives classes from jars only). */
    static Path jar(Path dir) throws Exception {
        Path jar = dir.resolve("worker.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Path root : WorkerTestSupport.classpath()) {
                try (Stream<Path> s = Files.walk(root)) {
                    for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                        String name = root.relativize(f).toString();
                        if (name.endsWith(".class") && seen.add(name)) {
                            out.putNextEntry(new JarEntry(name));
                            Files.copy(f, out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        jar.toFile().setReadable(true, false);
        return jar;
    }

    private static List<Path> archives(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> p.toString().endsWith(".jsa")).toList();
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theArchiveIsMadeOnceMappedAndReadOnlyToTheJail(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path jar = jar(dir);
        Path cache = Files.createDirectory(dir.resolve("cds"));
        // 0755: the test's launcher may run as uid 65534 and must reach the archive to bind it;
        // a cache that others can write is refused (below)
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (AutoCloseable m = mode.activate()) {
            WorkerSpec spec = build(WorkerSpec.builder().classpath(List.of(jar)).heap(32L << 20)
                    .jvmFlags("-Xshare:on").classDataSharing(cache));
            try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1).build()) {
                assertEquals("echo:x", str(pool.call(utf8("echo:x"))));
                WorkerException w = assertThrows(WorkerException.class,
                        () -> pool.call(utf8("write:" + CdsCache.JAIL_PATH)));
                assertTrue(w.getMessage().contains("Read-only file system"), w.getMessage());
            }
            List<Path> made = archives(cache);
            assertEquals(1, made.size(), made.toString());
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(made.get(0));
            assertFalse(perms.contains(PosixFilePermission.OTHERS_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE));
            long mtime = Files.getLastModifiedTime(made.get(0)).toMillis();
            // a second pool of the same class path reuses it
            try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1).build()) {
                assertEquals("echo:y", str(pool.call(utf8("echo:y"))));
            }
            assertEquals(made, archives(cache));
            assertEquals(mtime, Files.getLastModifiedTime(made.get(0)).toMillis());
            // control: -Xshare:on really needs the archive to map: a corrupt one stops the worker
            Files.write(made.get(0), new byte[4096]);
            WorkerException bad = assertThrows(WorkerException.class,
                    () -> WorkerPool.builder(spec, TestHandler.class).size(1).build());
            assertEquals(WorkerException.Kind.START_FAILED, bad.kind());
            // a cache directory others can write is not used (the workers start without CDS)
            Path open = Files.createDirectory(dir.resolve("open"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            WorkerSpec openSpec = build(WorkerSpec.builder().classpath(List.of(jar)).heap(32L << 20)
                    .classDataSharing(open));
            try (WorkerPool pool = WorkerPool.builder(openSpec, TestHandler.class).size(1).build()) {
                assertEquals("echo:z", str(pool.call(utf8("echo:z"))));
            }
            assertEquals(List.of(), archives(open));
        }
    }

    /** Starts of a fresh worker: a plain JVM (no jail), a jailed one, a jailed one with the archive. */
    @ParameterizedTest
    @EnumSource(value = JailMode.class, names = "PRIVILEGED")
    void freshWorkerStartIsMeasuredAgainstAPlainJvm(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path jar = jar(dir);
        Path cache = Files.createDirectory(dir.resolve("cds"));
        try (AutoCloseable m = mode.activate()) {
            WorkerSpec plainSpec = build(WorkerSpec.builder().classpath(List.of(jar)).heap(32L << 20));
            WorkerSpec cdsSpec = build(WorkerSpec.builder().classpath(List.of(jar)).heap(32L << 20)
                    .classDataSharing(cache));
            startMillis(cdsSpec); // makes the archive
            List<Long> plain = new ArrayList<>();
            List<Long> jail = new ArrayList<>();
            List<Long> jailCds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                plain.add(plainJvmMillis(plainSpec));
                jail.add(startMillis(plainSpec));
                jailCds.add(startMillis(cdsSpec));
            }
            System.out.println("RESULT worker_start_ms plain_jvm=" + median(plain) + " jail=" + median(jail)
                    + " jail_cds=" + median(jailCds));
            assertTrue(median(jailCds) > 0);
        }
    }

    private static long startMillis(WorkerSpec spec) throws Exception {
        long t0 = System.nanoTime();
        try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1).build()) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            pool.call(utf8("echo:x"));
            return ms;
        }
    }

    /** The same command line, started as a plain process: up to its READY frame. */
    private static long plainJvmMillis(WorkerSpec spec) throws Exception {
        List<String> cmd = spec.workerCommand(TestHandler.class.getName(), Arrays.asList(TestHandler.class.getName(), "1000"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (DataInputStream in = new DataInputStream(p.getInputStream())) {
            assertEquals(Frames.READY, Frames.readReply(in, 0).status());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            p.getOutputStream().close();
            p.waitFor();
            return ms;
        }
    }

    private static long median(List<Long> l) {
        List<Long> s = new ArrayList<>(l);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
