package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

@Tag("unit")
class KafelParserTest {
    private static final String NSJAIL_EXAMPLE = "POLICY a { ALLOW { write, execve, brk, access, mmap, open, "
            + "newfstat, close, read, mprotect, arch_prctl, munmap, getuid, getgid, getpid, rt_sigaction, "
            + "geteuid, getppid, getcwd, getegid, ioctl, fcntl, newstat, clone, wait4, rt_sigreturn, "
            + "exit_group } } USE a DEFAULT KILL";

    private static SeccompAction eval(SeccompPolicy p, Arch a, String name, long... args) {
        return p.evaluate(a, SeccompData.of(a, Syscalls.number(a, name).getAsInt(), args));
    }

    @Test
    void acceptsTheNsjailExample() {
        SeccompPolicy p = SeccompPolicy.parse(NSJAIL_EXAMPLE);
        assertEquals(SeccompAction.KILL_PROCESS, p.defaultAction());
        assertEquals(27, p.rules().size());
        assertEquals(SeccompAction.ALLOW, eval(p, Arch.X86_64, "fstat"));
        assertEquals(SeccompAction.ALLOW, eval(p, Arch.X86_64, "stat"));
        assertEquals(SeccompAction.KILL_PROCESS, eval(p, Arch.X86_64, "socket"));
        assertEquals(List.of("access", "open", "arch_prctl", "stat"), p.compile(Arch.AARCH64).skippedSyscalls());
    }

    @Test
    void argumentConditionsDefinesAndComments() {
        String text = "#define STDOUT 1\n"
                + "#define MAXW 0x1000\n"
                + "// comment\n"
                + "POLICY p {\n"
                + "  ALLOW { write(fd, buf, count) { fd == STDOUT && count < MAXW }, read },\n"
                + "  ERRNO(13) { openat(dirfd, path, flags) { (flags & 3) != 0 || dirfd == 5 } },\n"
                + "  LOG { ioctl(fd, req) { req & 0x5400 } }, /* block comment */\n"
                + "  TRAP { kill(pid, sig) { !(sig > 9 && pid == 1) } }\n"
                + "}\n"
                + "USE p DEFAULT ERRNO(1)\n";
        SeccompPolicy p = SeccompPolicy.parse(text);
        Arch a = Arch.X86_64;
        assertEquals(SeccompAction.ALLOW, eval(p, a, "write", 1, 0, 100));
        assertEquals(SeccompAction.errno(1), eval(p, a, "write", 1, 0, 4096));
        assertEquals(SeccompAction.errno(1), eval(p, a, "write", 2, 0, 1));
        assertEquals(SeccompAction.errno(13), eval(p, a, "openat", 3, 0, 2));
        assertEquals(SeccompAction.errno(13), eval(p, a, "openat", 5, 0, 0));
        assertEquals(SeccompAction.errno(1), eval(p, a, "openat", 3, 0, 0));
        assertEquals(SeccompAction.LOG, eval(p, a, "ioctl", 0, 0x5401));
        assertEquals(SeccompAction.errno(1), eval(p, a, "ioctl", 0, 0x1));
        assertEquals(SeccompAction.TRAP, eval(p, a, "kill", 1, 5));
        assertEquals(SeccompAction.errno(1), eval(p, a, "kill", 1, 15));
        assertEquals(SeccompAction.TRAP, eval(p, a, "kill", 2, 15));
    }

    @Test
    void topLevelBlocksSyscallNumbersAndOtherActions() {
        SeccompPolicy p = SeccompPolicy.parse("KILL_THREAD { SYSCALL[59] } TRACE(3) { ptrace } "
                + "USER_NOTIF { mount } DEFAULT ALLOW");
        assertEquals(SeccompAction.KILL_THREAD, eval(p, Arch.X86_64, "execve"));
        assertEquals(SeccompAction.trace(3), eval(p, Arch.X86_64, "ptrace"));
        assertEquals(SeccompAction.USER_NOTIF, eval(p, Arch.X86_64, "mount"));
    }

    @Test
    void errorsCarryLineAndColumn() {
        SeccompParseException e = assertThrows(SeccompParseException.class,
                () -> SeccompPolicy.parse("POLICY a {\n  ALLOW { reed }\n} USE a DEFAULT KILL"));
        assertEquals(2, e.line());
        assertEquals(11, e.column());
        assertTrue(e.getMessage().contains("read"), e.getMessage());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("ALLOW { read } USE b DEFAULT KILL"));
        assertEquals(1, e.line());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("ALLOW { write(a, b) { a | b } } DEFAULT KILL"));
        assertTrue(e.getMessage().contains("comparison"), e.getMessage());
        assertEquals(23, e.column());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("#include \"x\"\nDEFAULT KILL"));
        assertEquals(1, e.line());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("FROB { read } DEFAULT KILL"));
        assertEquals(1, e.column());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("ALLOW { read(fd) { fd ~ 1 } } DEFAULT KILL"));
        assertEquals(23, e.column());
    }

    /** kafel's own rules where sandbox4j used to differ (issue 15, "Kafel, exactly"). */
    @Test
    void kafelFidelity() {
        // no DEFAULT: kafel kills
        SeccompPolicy p = SeccompPolicy.parse("ALLOW { read }");
        assertEquals(SeccompAction.KILL_PROCESS, p.defaultAction());
        assertEquals(SeccompAction.ALLOW, eval(p, Arch.X86_64, "read"));
        // a #define'd number used as a system call
        p = SeccompPolicy.parse("#define my_read 0\nERRNO(1) { my_read } DEFAULT ALLOW");
        assertEquals(SeccompAction.errno(1), eval(p, Arch.X86_64, "read"));
        // a #define named like a call means its number, as in kafel (the constant is looked up first)
        p = SeccompPolicy.parse("#define write 0\nERRNO(1) { write } DEFAULT ALLOW");
        assertEquals(SeccompAction.ALLOW, eval(p, Arch.X86_64, "write"));
        assertEquals(SeccompAction.errno(1), eval(p, Arch.X86_64, "read"));
        // what kafel rejects
        SeccompParseException e = assertThrows(SeccompParseException.class,
                () -> SeccompPolicy.parse("ALLOW { write(fd, fd) { fd == 1 } } DEFAULT KILL"));
        assertTrue(e.getMessage().contains("declared twice"), e.getMessage());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("POLICY ALLOW { ALLOW { read } } USE ALLOW DEFAULT KILL"));
        assertTrue(e.getMessage().contains("keyword"), e.getMessage());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse("#define A 1\n#define A 2\nDEFAULT KILL"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("already defined"), e.getMessage());
        SeccompPolicy.parse("#define A 1\n#define A 1\nDEFAULT KILL"); // kafel: the same value again is fine
        // controls: distinct names, a non-keyword name, one definition
        SeccompPolicy.parse("POLICY allow_io { ALLOW { write(fd, buf) { fd == 1 } } } USE allow_io DEFAULT KILL");
        SeccompPolicy.parse("#define A 1\n#define B 2\nDEFAULT KILL");
    }

    @Test
    void randomGarbageFailsOnlyWithParseExceptions() {
        Random r = new Random(5);
        String alphabet = "POLICY USE DEFAULT ALLOW KILL ERRNO ( ) { } , && || == != < > & ! read write fd 1 0x2 # \n";
        String[] words = alphabet.split(" ");
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(20);
            for (int k = 0; k < n; k++) {
                sb.append(words[r.nextInt(words.length)]).append(r.nextBoolean() ? " " : "");
            }
            try {
                SeccompPolicy.parse(sb.toString()).compile(Arch.X86_64);
            } catch (SeccompParseException expected) {
                assertTrue(expected.line() >= 1 && expected.column() >= 1);
            }
        }
    }
}
