package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

@Tag("unit")
class SyscallTableTest {
    @Test
    void wellKnownNumbers() {
        SyscallTable x86 = SyscallTable.of(Arch.X86_64);
        SyscallTable arm = SyscallTable.of(Arch.AARCH64);
        assertEquals(0, x86.number("read").getAsInt());
        assertEquals(59, x86.number("execve").getAsInt());
        assertEquals(435, x86.number("clone3").getAsInt());
        assertEquals(63, arm.number("read").getAsInt());
        assertEquals(221, arm.number("execve").getAsInt());
        assertEquals(79, arm.number("newfstatat").getAsInt());
        assertEquals(223, arm.number("fadvise64").getAsInt());
        assertTrue(arm.number("open").isEmpty());
        assertTrue(arm.number("fork").isEmpty());
        assertEquals("openat", arm.name(56));
    }

    @Test
    void groupsNameOnlyKnownSyscalls() {
        for (SyscallGroup g : SyscallGroup.values()) {
            for (String s : g.syscalls()) {
                assertTrue(Syscalls.isKnown(s), g + ": " + s);
            }
        }
        for (String s : SeccompPolicies.DENIED) {
            assertTrue(Syscalls.isKnown(s), s);
        }
        Syscalls.aliases().values().forEach(c -> assertTrue(Syscalls.isKnown(c), c));
    }

    /** Regenerates the tables from the UAPI headers (when present) and compares. */
    @Test
    void tablesMatchTheHeaders() throws IOException, InterruptedException {
        assumeTrue(Files.exists(Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")),
                "x86_64 UAPI headers missing");
        Path gcc = Path.of("/usr/bin/aarch64-linux-gnu-gcc");
        assumeTrue(Files.exists(gcc), "aarch64 cross compiler missing, tables not cross-checked");
        Path dir = Files.createTempDirectory("tables");
        Process p = new ProcessBuilder(List.of("python3", "tools/gen-syscall-tables.py", dir.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        for (Arch a : Arch.values()) {
            String name = SyscallTable.resourceName(a);
            assertEquals(Files.readString(dir.resolve(name)),
                    Files.readString(Path.of("src/main/resources/org/sandbox4j/seccomp").resolve(name)),
                    name + " differs from the headers: run tools/gen-syscall-tables.py");
            Files.delete(dir.resolve(name));
        }
        Files.delete(dir);
    }
}
