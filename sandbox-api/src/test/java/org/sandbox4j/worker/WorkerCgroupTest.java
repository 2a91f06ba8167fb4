package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.cgroup.ResourceLimit;
import org.sandbox4j.internal.Cgroups;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.worker.WorkerException.Kind;

/**
 * A worker JVM under a cgroup memory limit: the limit holds the whole JVM (here what it writes to
 * its tmpfs /tmp, which every kernel charges), a worker killed at it fails its task with
 * MEMORY_LIMIT naming memory, and the pool replaces it. Runs with the JVM's own rights (root on
 * CI; the cgroup v2 guest also runs it as uid 65534 in a delegated subtree).
 */
@Tag("kernel")
class WorkerCgroupTest {
    private static final long MIB = 1L << 20;

    private static boolean cgroups() {
        return LibC.geteuid() == 0 || "delegated".equals(System.getProperty("sandbox4j.test.cgroups"));
    }

    @Test
    void aWorkerKilledByItsMemoryLimitIsReportedAndReplaced() throws Exception {
        assumeTrue(cgroups(), "no cgroup for this JVM");
        WorkerSpec spec = build(WorkerTestSupport.spec().tmpSize(1024 * MIB).memoryLimit(192 * MIB));
        try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1).taskTimeout(Duration.ofSeconds(60))
                .acquireTimeout(Duration.ofSeconds(30)).build()) {
            WorkerException e = assertThrows(WorkerException.class, () -> pool.call(utf8("fill:600")));
            assertEquals(Kind.MEMORY_LIMIT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("memory limit 192 MiB"), e.getMessage());
            assertEquals(ResourceLimit.MEMORY, e.jailExit().orElseThrow().limitReached().orElseThrow());
            // replaced: the next task runs in a new worker
            assertEquals("hi", str(pool.call(utf8("echo:hi"))).replace("echo:", ""));
        }
        // Control: without the limit the same worker writes the 600 MiB.
        WorkerSpec free = build(WorkerTestSupport.spec().tmpSize(1024 * MIB));
        try (WorkerPool pool = WorkerPool.builder(free, TestHandler.class).size(1).taskTimeout(Duration.ofSeconds(60))
                .acquireTimeout(Duration.ofSeconds(30)).build()) {
            assertEquals("filled", str(pool.call(utf8("fill:600"))));
        }
    }

    @Test
    void theHeapIsSizedFromTheMemoryLimit() throws Exception {
        assertEquals(192 * MIB - 48 * MIB, build(WorkerSpec.builder().memoryLimit(192 * MIB)).heapBytes());
        assertEquals(48 * MIB, build(WorkerSpec.builder().memoryLimit(64 * MIB)).heapBytes() + 32 * MIB);
        assertEquals(32 * MIB, build(WorkerSpec.builder().heap(32 * MIB).memoryLimit(1024 * MIB)).heapBytes(), "an explicit heap wins");
        assertTrue(Cgroups.host() != null);
    }
}
