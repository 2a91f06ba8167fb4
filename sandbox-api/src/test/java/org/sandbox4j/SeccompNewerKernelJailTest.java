package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.seccomp.OlderTables;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompProgram;
import org.sandbox4j.seccomp.Syscalls;

/**
 * The default filter against a kernel newer than its tables, and the 6.x calls it denies: numbers
 * above the table get ENOSYS, open_tree_attr cannot clone a read-only bind writable, listmount and
 * statmount cannot read the host paths of bind sources.
 */
@Tag("kernel")
class SeccompNewerKernelJailTest {
    private static String nr(String name) {
        return Integer.toString(Syscalls.number(Arch.current(), name).getAsInt());
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void numbersAboveTheTableGetEnosys(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            for (String n : new String[] {"470", "500", "1000"}) {
                Result r = run(base().build(), ATTACK, "syscall", n);
                assertEquals("DENIED ENOSYS syscall", r.out().trim(), n + ": " + r);
            }
        }
    }

    /**
     * The default deny list compiled from a table cut at 450 (where Linux 6.1's headers end) run on
     * this 6.18 kernel: file_getattr (468) and open_tree_attr (467) stop at the filter with ENOSYS.
     * Control: under today's table the same calls reach the kernel (file_getattr is allowed and the
     * kernel complains about its arguments), and so they do with no filter.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aFilterFromAnOlderTableStopsTheKernelsNewerCalls(JailMode mode) throws Exception {
        SeccompProgram old = OlderTables.compile(SeccompPolicies.defaultDenyList(), Arch.current(), 450);
        try (AutoCloseable m = mode.activate()) {
            for (String call : new String[] {"file_getattr", "open_tree_attr"}) {
                Result r = run(base().seccomp(old).build(), ATTACK, "syscall", nr(call));
                assertEquals("DENIED ENOSYS syscall", r.out().trim(), call + " under the 6.1 table: " + r);
                Result free = run(base().noSeccomp().build(), ATTACK, "syscall", nr(call));
                assertTrue(free.out().startsWith("DENIED ") && !free.out().contains("ENOSYS"),
                        "control: " + call + " exists on this kernel: " + free);
            }
            Result now = run(base().build(), ATTACK, "syscall", nr("file_getattr"));
            assertTrue(now.out().startsWith("DENIED ") && !now.out().contains("ENOSYS"),
                    "control: today's table lets file_getattr through: " + now);
        }
    }

    /**
     * A jail that keeps CAP_SYS_ADMIN clones its read-only bind with open_tree_attr, clearing
     * MOUNT_ATTR_RDONLY on the clone, and writes through it into the bind's host directory.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void openTreeAttrCannotMakeAReadOnlyBindWritable(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path escaped = dir.resolve("written-through-clone");
        try (AutoCloseable m = mode.activate()) {
            Sandbox.Builder b = base().readOnly(dir.toString(), "/ro").uid(0).gid(0)
                    .keepCapabilities(Capability.SYS_ADMIN);
            assertEquals("DENIED EROFS /ro/x", run(b.build(), ATTACK, "write", "/ro/x").out().trim(),
                    "the bind is read-only");
            Result r = run(b.build(), ATTACK, "open-tree-attr", "/ro");
            assertEquals("DENIED EPERM open_tree_attr", r.out().trim(), r.toString());
            assertFalse(Files.exists(escaped), "nothing written to the host directory");

            Result control = run(b.noSeccomp().build(), ATTACK, "open-tree-attr", "/ro");
            assertEquals("OK open_tree_attr", control.out().trim(), "control: no filter: " + control);
            assertEquals("escaped\n", Files.readString(escaped), "control: the write reached the host");
        } finally {
            Files.deleteIfExists(escaped);
        }
    }

    /**
     * listmount and statmount give every mount's root within its filesystem: for a bind, the
     * source's path on the host (here the fixture directory's), with no /proc in the jail.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void listmountAndStatmountCannotReadBindSources(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        String secret = dir.getFileName().toString();
        try (AutoCloseable m = mode.activate()) {
            Sandbox.Builder b = base().readOnly(dir.toString(), "/data");
            assertEquals("DENIED EPERM listmount", run(b.build(), ATTACK, "listmount").out().trim());
            assertEquals("DENIED EPERM statmount", run(b.build(), ATTACK, "statmount", "/data").out().trim());

            Result list = run(b.noSeccomp().build(), ATTACK, "listmount");
            assertTrue(list.ok() && list.out().contains(secret + " ON /data"),
                    "control: listmount shows the host path " + dir + ": " + list);
            Result stat = run(b.noSeccomp().build(), ATTACK, "statmount", "/data");
            assertTrue(stat.ok() && stat.out().contains(secret + " ON /data"),
                    "control: statmount shows the host path " + dir + ": " + stat);
        }
    }
}
