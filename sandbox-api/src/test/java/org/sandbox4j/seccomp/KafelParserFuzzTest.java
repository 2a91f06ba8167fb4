package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;
import org.sandbox4j.TextFuzz;

/**
 * Fuzzes the policy parser and the compiler behind it: every input is accepted (and compiles for
 * both architectures, or is refused by the compiler as too large for the kernel) or refused with a
 * {@link SeccompParseException} carrying a line and column, in at most 1 s of CPU. Seeded:
 * {@code -Dseccomp.fuzz.seed=N} and {@code -Dseccomp.fuzz.inputs=N} explore further.
 */
@Tag("unit")
class KafelParserFuzzTest {
    private static final long SEED = Long.getLong("seccomp.fuzz.seed", 20251204L);
    private static final int INPUTS = Integer.getInteger("seccomp.fuzz.inputs", 3000);
    private static final long CPU_CAP_NANOS = 1_000_000_000L;

    static final List<String> CORPUS = List.of(
            "POLICY a { ALLOW { write, execve, brk, access, mmap, open, newfstat, close, read, mprotect } }"
                    + " USE a DEFAULT KILL",
            "#define STDOUT 1\n#define MAXW 0x1000\n// comment\nPOLICY p {\n"
                    + "  ALLOW { write(fd, buf, count) { fd == STDOUT && count < MAXW }, read },\n"
                    + "  ERRNO(13) { openat(dirfd, path, flags) { (flags & 3) != 0 || dirfd == 5 } },\n"
                    + "  LOG { ioctl(fd, req) { req & 0x5400 } }, /* block comment */\n"
                    + "  TRAP { kill(pid, sig) { !(sig > 9 && pid == 1) } }\n}\nUSE p DEFAULT ERRNO(1)\n",
            "KILL_THREAD { SYSCALL[59] } TRACE(3) { ptrace } USER_NOTIF { mount } DEFAULT ALLOW",
            "POLICY base { ALLOW { read, write, exit_group } }\nPOLICY net { ERRNO(1) { socket(d, t, p) { d != 1 } } }\n"
                    + "POLICY all { USE base, USE net, ALLOW { futex } }\nUSE all, base DEFAULT KILL_PROCESS\n",
            "#define A 1|2|0x10\nALLOW { mmap(a, l, prot) { (prot & A) == 0x10 || 0b11 >= l || 077 != a } }"
                    + " DEFAULT ERRNO(38)");
    static final List<String> DICTIONARY = List.of("POLICY ", "USE ", "DEFAULT ", "ALLOW", "KILL", "ERRNO(1)",
            "TRACE(", "LOG", "{", "}", "(", ")", "[", "]", ",", "&&", "||", "!", "==", "!=", "<", "<=", ">",
            ">=", "&", "|", "-", "#define X 5\n", "#include \"x\"\n", "//", "/*", "*/", "SYSCALL[", "0x",
            "18446744073709551615", "99999999999999999999999", "read", "write", "fd", "a", "p", "\n", " ",
            "ALLOW { read(fd) { fd == 1 } }", "POLICY q { USE a, USE a }", "(fd == 1 || fd == 2) && ",
            "!(", "((((((((((", "))))))))))", "\u00e9", "\0");

    /** One generated input in eight is large (up to and beyond the 1 MiB limit): they cost most of the time. */
    static boolean huge(Random r) {
        return r.nextInt(8) == 0;
    }

    /** Structured inputs: deep nesting, && over ||, policies used twice per level, long lists. */
    static String generate(Random r) {
        switch (r.nextInt(6)) {
            case 0: { // nesting around a comparison, near and beyond the limit
                int depth = huge(r) ? r.nextInt(60_000) : r.nextInt(400);
                String open = r.nextBoolean() ? "(" : r.nextBoolean() ? "!" : "!(";
                String close = open.endsWith("(") ? ")" : "";
                return "ALLOW { read(fd) { " + open.repeat(depth) + "fd == 1" + close.repeat(depth) + " } } DEFAULT KILL";
            }
            case 1: { // && over ||, and its negation
                int n = 1 + r.nextInt(40);
                StringBuilder sb = new StringBuilder("ALLOW { write(fd, buf, count) { ");
                sb.append(r.nextBoolean() ? "!(" : "(");
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? " && " : "").append("(fd == ").append(i).append(" || count == ").append(i)
                            .append(r.nextBoolean() ? " || buf != 0" : "").append(")");
                }
                return sb.append(") } } DEFAULT KILL").toString();
            }
            case 2: { // policies that use the previous one twice
                int levels = r.nextInt(huge(r) ? 20_000 : 40);
                StringBuilder sb = new StringBuilder("POLICY p0 { ALLOW { read, write(fd) { fd == 1 || fd == 2 } } }\n");
                for (int i = 1; i <= levels; i++) {
                    sb.append("POLICY p").append(i).append(" { USE p").append(i - 1).append(", USE p").append(i - 1)
                            .append(r.nextInt(8) == 0 ? ", ERRNO(" + (i % 4095) + ") { SYSCALL[" + (i % 1000) + "] }" : "")
                            .append(" }\n");
                }
                return sb.append("USE p").append(levels).append(" DEFAULT KILL\n").toString();
            }
            case 3: { // many rules, alternating actions over numbers (the compiler's search)
                int n = r.nextInt(huge(r) ? 40_000 : 600);
                int stride = 1 + r.nextInt(3);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    sb.append(i % 2 == 0 ? "ALLOW" : "ERRNO(1)").append(" { SYSCALL[").append(i * stride).append("] }\n");
                }
                return sb.append("DEFAULT KILL").toString();
            }
            case 4: { // many #defines, each using the previous
                int n = r.nextInt(huge(r) ? 70_000 : 500);
                StringBuilder sb = new StringBuilder("#define D0 1\n");
                for (int i = 1; i < n; i++) {
                    sb.append("#define D").append(i).append(" D").append(i - 1).append("|").append(i).append('\n');
                }
                return sb.append("ALLOW { read(fd) { fd == D").append(Math.max(0, n - 1)).append(" } } DEFAULT KILL").toString();
            }
            default: { // a long conjunction, or a long name
                int n = r.nextInt(huge(r) ? 100_000 : 3000);
                if (r.nextBoolean()) {
                    StringBuilder sb = new StringBuilder("ALLOW { read(fd) { fd != 0");
                    for (int i = 1; i < n; i++) {
                        sb.append(" && fd != ").append(i);
                    }
                    return sb.append(" } } DEFAULT KILL").toString();
                }
                return "ALLOW { " + "r".repeat(n) + " } DEFAULT KILL";
            }
        }
    }

    /** Parses and compiles for both architectures; only the library's own refusals are expected. */
    static TextFuzz.Verdict parseAndCompile(String text) {
        SeccompPolicy p;
        try {
            p = SeccompPolicy.parse(text);
        } catch (SeccompParseException e) {
            assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
            assertTrue(e.getMessage().length() < 1000, "message of " + e.getMessage().length() + " chars");
            return TextFuzz.Verdict.REFUSED;
        }
        for (Arch a : Arch.values()) {
            try {
                p.compile(a);
            } catch (IllegalStateException e) { // the kernel's 4096-instruction limit
                assertTrue(e.getMessage().startsWith("policy compiles to"), e.getMessage());
                return TextFuzz.Verdict.REFUSED;
            }
        }
        return TextFuzz.Verdict.ACCEPTED;
    }

    @Test
    void mutatedAndGeneratedPoliciesAreAcceptedOrRefusedQuickly() {
        TextFuzz.Stats s = TextFuzz.run("policy fuzz", SEED, INPUTS, CORPUS, DICTIONARY,
                KafelParserFuzzTest::generate, KafelParserFuzzTest::parseAndCompile, CPU_CAP_NANOS,
                30_000_000_000L);
        System.out.println("KafelParserFuzzTest: " + s + ", seed " + SEED);
        assertTrue(s.accepted() > s.inputs() / 50, "too few inputs accepted to reach past the syntax: " + s);
        assertTrue(s.accepted() < s.inputs(), "nothing refused: " + s);
    }
}
