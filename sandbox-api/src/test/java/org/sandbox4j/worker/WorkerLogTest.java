package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.worker.WorkerException.Kind;

/**
 * What a worker writes to stderr reaches the host's log at its own level, once; a failure's report
 * keeps the line that explains it. (slf4j-simple writes to the current System.err, captured here.)
 */
@Tag("kernel")
class WorkerLogTest {
    private static String capture(ThrowingRunnable r) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String lineWith(String log, String text) {
        return log.lines().filter(l -> l.contains(text)).findFirst().orElseThrow(() -> new AssertionError(
                "no line with " + text + " in\n" + log));
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aWorkersLinesKeepTheirLevel(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            String log = capture(() -> {
                try (WorkerPool pool = WorkerPool.builder(build(WorkerTestSupport.spec()), TestHandler.class).size(1)
                        .taskTimeout(Duration.ofSeconds(20)).build()) {
                    pool.call(utf8("log:x1"));
                    pool.call(utf8("echo:sync")); // the pool closes the pipe after the lines were read
                }
            });
            assertTrue(lineWith(log, "careful x1").contains(" WARN org.sandbox4j.worker.Worker"), log);
            assertTrue(lineWith(log, "SEVERE: bad x1").contains(" ERROR org.sandbox4j.worker.Worker"), log);
            assertTrue(lineWith(log, "plain x1").contains(" INFO org.sandbox4j.worker.Worker"), log);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aStartFailureIsReportedOnceWithItsCause(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            WorkerException[] e = new WorkerException[1];
            String log = capture(() -> e[0] = assertThrows(WorkerException.class, () -> WorkerPool.builder(
                    build(WorkerTestSupport.spec()), FailingStartHandler.class).size(1).build()));
            WorkerException f = e[0];
            assertEquals(Kind.START_FAILED, f.kind());
            String all = f.toString();
            assertEquals(1, count(all, "START_FAILED"), all);
            assertEquals(1, count(all, "boom-at-start"), "the cause once, in the tail: " + all);
            assertTrue(f.stderrTail().contains("boom-at-start"), f.stderrTail());
            // the worker's start-up lines are in the exception, not also in the log
            assertFalse(log.contains("boom-at-start"), log);
            assertFalse(log.contains("no config file"), log);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theFailureTailKeepsTheFirstErrorBehindLaterWarnings(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = WorkerPool.builder(build(WorkerTestSupport.spec()), TestHandler.class).size(1)
                        .taskTimeout(Duration.ofSeconds(20)).build()) {
            WorkerException f = assertThrows(WorkerException.class, () -> pool.call(utf8("noisycrash:c1")));
            assertEquals(Kind.CRASH, f.kind(), f.getMessage());
            List<String> tail = f.stderrTail().lines().toList();
            assertTrue(tail.get(0).contains("the real cause c1"), f.stderrTail());
            assertTrue(tail.get(1).contains("Parser.parse"), f.stderrTail());
            assertTrue(tail.get(tail.size() - 1).contains("unrelated warning 59"), f.stderrTail());
            assertTrue(tail.size() <= 2 + 1 + 20, f.stderrTail());
            // control: the last 20 lines alone would not show it
            assertFalse(String.join("\n", tail.subList(tail.size() - 20, tail.size())).contains("real cause"));
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
