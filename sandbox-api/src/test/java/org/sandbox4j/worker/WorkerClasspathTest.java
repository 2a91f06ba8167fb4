package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;

/**
 * The default worker class path: a worker sees its handler's entry and the library, never the
 * application's other class path directories (where resources such as a database password live).
 */
@Tag("kernel")
class WorkerClasspathTest {
    /** The test class path plus a resource directory holding {@code db.password}, as an application has. */
    private static List<Path> appClasspath() throws Exception {
        Path res = JailTestSupport.worldReadableDir().resolve("app-resources");
        Files.createDirectories(res);
        Files.writeString(res.resolve("db.password"), "hunter2");
        JailTestSupport.makeWorldReadable(res);
        List<Path> cp = new ArrayList<>(WorkerTestSupport.classpath());
        cp.add(res);
        return cp;
    }

    private static String resource(WorkerSpec spec) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1)
                .taskTimeout(Duration.ofSeconds(20)).build()) {
            return str(pool.call(utf8("resource:db.password")));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theDefaultClassPathLeavesTheApplicationsResourcesOut(JailMode mode) throws Exception {
        List<Path> app = appClasspath();
        try (AutoCloseable m = mode.activate()) {
            WorkerSpec spec = build(WorkerSpec.builder().searchClasspath(app).heap(32L << 20));
            List<Path> seen = spec.classpathFor(TestHandler.class.getName());
            assertFalse(seen.contains(app.get(app.size() - 1)), seen.toString());
            assertEquals("absent", resource(spec));
            // control: the application's whole class path, opted in, shows the password
            assertEquals("hunter2", resource(build(WorkerSpec.builder().classpath(app).heap(32L << 20))));
        }
    }

    @Test
    void theDefaultIsTheHandlersEntryAndTheLibrary() throws Exception {
        List<Path> app = appClasspath();
        WorkerSpec spec = build(WorkerSpec.builder().searchClasspath(app));
        List<Path> cp = spec.classpathFor(TestHandler.class.getName());
        assertEquals(WorkerSpec.entryOf(TestHandler.class.getName(), app).orElseThrow(), cp.get(0));
        assertTrue(cp.contains(WorkerSpec.entryOf(WorkerMain.class.getName(), app).orElseThrow()), cp.toString());
        assertEquals(2, cp.size(), cp.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec.classpathFor("com.example.NoSuchHandler"));
        assertTrue(e.getMessage().contains("com.example.NoSuchHandler"), e.getMessage());
        // a pool of a class that is nowhere fails to start with that message, once, typed
        WorkerException w = assertThrows(WorkerException.class,
                () -> WorkerPool.builder(spec, "com.example.NoSuchHandler").size(1).build());
        assertEquals(WorkerException.Kind.START_FAILED, w.kind());
        assertTrue(w.getMessage().contains("com.example.NoSuchHandler"), w.getMessage());
    }
}
