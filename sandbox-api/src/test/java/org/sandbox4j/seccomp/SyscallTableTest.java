package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

@Tag("unit")
class SyscallTableTest {
    /** The kernel's argument names (kafel's undeclared names) name calls of their architecture. */
    @Test
    void argumentNamesBelongToCallsOfTheirArchitecture() {
        for (Arch a : Arch.values()) {
            java.util.Map<String, List<String>> all = SyscallArgNames.all(a);
            assertTrue(all.size() > 300, a + ": " + all.size());
            all.forEach((name, args) -> {
                assertTrue(SyscallTable.of(a).number(name).isPresent(), a + ": " + name);
                assertTrue(args.size() <= 6 && args.stream().distinct().count() == args.size(), a + ": " + name + args);
            });
            assertEquals(List.of("fd", "buf", "count"), all.get("read"));
            assertEquals(List.of("family", "type", "protocol"), all.get("socket"));
            assertEquals(List.of("addr", "len", "prot", "flags", "fd", "off"), all.get("mmap"));
        }
        assertEquals(List.of("clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"),
                SyscallArgNames.all(Arch.X86_64).get("clone"));
        assertEquals(List.of("clone_flags", "newsp", "parent_tidptr", "tls", "child_tidptr"),
                SyscallArgNames.all(Arch.AARCH64).get("clone"));
        assertEquals(List.of("filename", "flags", "mode"), SyscallArgNames.all(Arch.X86_64).get("open"));
    }

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

    /** Calls of Linux 6.2 to 6.18, which the 6.1 headers lacked, on both architectures. */
    @Test
    void tablesReachLinux618() {
        for (Arch a : Arch.values()) {
            SyscallTable t = SyscallTable.of(a);
            assertEquals(469, t.maxNumber(), a.toString());
            assertEquals(457, t.number("statmount").getAsInt());
            assertEquals(458, t.number("listmount").getAsInt());
            assertEquals(462, t.number("mseal").getAsInt());
            assertEquals(467, t.number("open_tree_attr").getAsInt());
            assertEquals(468, t.number("file_getattr").getAsInt());
            assertEquals(469, t.number("file_setattr").getAsInt());
            assertEquals(450, t.upTo(450).maxNumber());
            assertTrue(t.upTo(450).number("open_tree_attr").isEmpty());
        }
        assertEquals(335, SyscallTable.of(Arch.X86_64).number("uretprobe").getAsInt());
        assertEquals(336, SyscallTable.of(Arch.X86_64).number("uprobe").getAsInt());
        assertTrue(SyscallTable.of(Arch.AARCH64).number("uretprobe").isEmpty(), "x86 only");
        assertTrue(SyscallTable.of(Arch.AARCH64).number("nfsservctl").isEmpty(), "retired on arm64 since 6.11");
    }

    /** Headers newer than the data extend the table; headers that contradict it stop the generator. */
    @Test
    void newerHeadersExtendTheTableAndContradictionsFail() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tables");
        Path header = dir.resolve("unistd_64.h");
        Files.writeString(header, "#define __NR_read 0\n#define __NR_listns 470\n#define __NR_nfsservctl 180\n");
        Process p = generator(header, dir);
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        String x86 = Files.readString(dir.resolve(SyscallTable.resourceName(Arch.X86_64)));
        assertTrue(x86.endsWith("file_setattr\t469\nlistns\t470\n"), x86);
        assertTrue(x86.contains("and newer installed headers"), x86);

        Files.writeString(header, "#define __NR_read 0\n#define __NR_open_tree_attr 470\n");
        p = generator(header, dir);
        out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.waitFor(), out);
        assertTrue(out.contains("open_tree_attr is 470 in the headers but 467 in tools/syscalls"), out);
        org.sandbox4j.JailTestSupport.deleteTree(dir);
    }

    private static Process generator(Path x86Header, Path outDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("python3", "tools/gen-syscall-tables.py", outDir.toString())
                .redirectErrorStream(true);
        pb.environment().put("SC4J_X86_UNISTD", x86Header.toString());
        return pb.start();
    }

    /**
     * Runs the generator on the committed kernel data alone and together with the installed UAPI
     * headers (which must not contradict it), and compares both with the committed tables.
     */
    @Test
    void tablesMatchTheGenerator() throws IOException, InterruptedException {
        for (boolean headers : new boolean[] {false, true}) {
            Path dir = Files.createTempDirectory("tables");
            List<String> cmd = new java.util.ArrayList<>(List.of("python3", "tools/gen-syscall-tables.py"));
            if (!headers) {
                cmd.add("--no-headers");
            }
            cmd.add(dir.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            for (Arch a : Arch.values()) {
                String name = SyscallTable.resourceName(a);
                assertEquals(Files.readString(dir.resolve(name)),
                        Files.readString(Path.of("src/main/resources/org/sandbox4j/seccomp").resolve(name)),
                        name + " differs from the generator's output" + (headers ? " with headers" : "")
                                + ": run tools/gen-syscall-tables.py");
                Files.delete(dir.resolve(name));
            }
            Files.delete(dir);
        }
    }
}
