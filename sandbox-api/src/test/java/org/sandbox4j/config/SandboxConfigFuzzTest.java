package org.sandbox4j.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Sandbox;
import org.sandbox4j.TextFuzz;

/**
 * Fuzzes the configuration format: parsing and applying every directive to a builder (which also
 * parses and compiles seccomp policies, inline or from a file) either succeeds or fails with a
 * {@link ConfigException} naming {@code FILE:LINE}, in at most 1 s of CPU. Seeded: {@code
 * -Dconfig.fuzz.seed=N}, {@code -Dconfig.fuzz.inputs=N}.
 */
@Tag("unit")
class SandboxConfigFuzzTest {
    private static final long SEED = Long.getLong("config.fuzz.seed", 20251205L);
    private static final int INPUTS = Integer.getInteger("config.fuzz.inputs", 3000);
    private static final long CPU_CAP_NANOS = 1_000_000_000L;

    static final List<String> CORPUS = List.of(
            String.join("\n", "# pdftotext.jail", "ro-system", "tmpfs /tmp:64m", "bind ./out:/out", "rlimit as=1g",
                    "time-limit 30", "seccomp-string <<EOF", "  POLICY p { ERRNO(1) { socket } } USE p DEFAULT ALLOW",
                    "EOF", ""),
            String.join("\n", "tmpfs /tmp:64k      # trailing comment", "  ro-bind /usr", "bind data:/data", "--proc /proc",
                    "hostname box", "net host", "env GREETING=\"hello # world \\\"x\\\" \"", "rlimit nofile=64:128",
                    "time-limit 1.5", "uid 1000", "gid 1000", "cwd /tmp", "share ipc", "cap-keep net_bind_service"),
            String.join("\n", "file /etc/hosts <<HOSTS", "127.0.0.1 localhost", "HOSTS", "symlink usr/bin:/bin",
                    "dir /var/empty", "hide /etc/shadow", "dev /dev", "keep-fd 3:4", "setup-timeout 10",
                    "seccomp policy.kafel", "inherit-env HOME", "exec-directly", "remount-ro /usr"),
            String.join("\n", "chroot .", "host-ids 1000:1000", "ro-bind-try /opt", "dev-pts /dev", "no-seccomp",
                    "seccomp JVM_WORKER", "seccomp-string DEFAULT ALLOW", "rlimit cpu=inf", "same-session"));
    static final List<String> DICTIONARY = List.of("ro-bind ", "bind ", "tmpfs ", "proc ", "file ", "seccomp ",
            "seccomp-string ", "env ", "rlimit ", "time-limit ", "uid ", "keep-fd ", "<<EOF", "\nEOF\n", "<<", "\"",
            "\\", "#", ":", ":/", "/", "=", "\n", "\r\n", " ", "\t", "inf", "99999999999999999999", "-1", "0x10",
            "1e999", "nofile=", "as=1g:", "POLICY p { ", "ALLOW { read }", "DEFAULT KILL", "((((((((", "landlock-ro /",
            "nsjail: {", "mount {", "\u00e9", "\0");

    /** Structured inputs: many lines, long lines, heredocs that never close, pathological policies. */
    static String generate(Random r) {
        boolean huge = r.nextInt(8) == 0;
        switch (r.nextInt(5)) {
            case 0: { // many directives
                int n = r.nextInt(huge ? 80_000 : 400);
                String line = List.of("env A=B\n", "tmpfs /t\n", "ro-bind /usr\n", "rlimit nofile=1\n", "# c\n", "\n")
                        .get(r.nextInt(6));
                return line.repeat(n);
            }
            case 1: // one long line: a long name, a long value, many quotes, many '<<'
                return List.of("x", "env A=", "env A=\"", "bind ", "tmpfs /", "ro-bind <<", "seccomp-string <<E")
                        .get(r.nextInt(7)) + List.of("a", "\"", " <<", "\\\"", ":/", "# ").get(r.nextInt(6))
                        .repeat(r.nextInt(huge ? 300_000 : 2000));
            case 2: { // a heredoc with a pathological policy, maybe never closed
                int depth = r.nextInt(huge ? 60_000 : 300);
                return "ro-system\nseccomp-string <<EOF\nALLOW { read(fd) { " + "(".repeat(depth) + "fd == 1"
                        + ")".repeat(depth) + " } } DEFAULT KILL\n" + (r.nextInt(4) == 0 ? "" : "EOF\n");
            }
            case 3: { // && over || in an inline policy
                StringBuilder sb = new StringBuilder("seccomp-string ALLOW { write(fd, b, c) { ");
                int n = 1 + r.nextInt(30);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? " && " : "").append("(fd == ").append(i).append(" || c == ").append(i).append(")");
                }
                return sb.append(" } } DEFAULT KILL\n").toString();
            }
            default: { // many heredocs
                int n = r.nextInt(huge ? 20_000 : 100);
                return "file /f <<T\nline\nT\n".repeat(n) + "seccomp-string <<P\nDEFAULT ALLOW\nP\n".repeat(Math.min(n, 50));
            }
        }
    }

    @Test
    void mutatedAndGeneratedConfigsAreAcceptedOrRefusedQuickly(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("policy.kafel"), "POLICY p { ALLOW { read, write } } USE p DEFAULT ERRNO(1)\n");
        Files.createDirectories(dir.resolve("out"));
        TextFuzz.Stats s = TextFuzz.run("config fuzz", SEED, INPUTS, CORPUS, DICTIONARY, SandboxConfigFuzzTest::generate,
                text -> {
                    try {
                        SandboxConfig.parse(text, "fuzz.conf", dir).applyTo(Sandbox.builder());
                        return TextFuzz.Verdict.ACCEPTED;
                    } catch (ConfigException e) {
                        assertTrue(e.line() == 0 || e.getMessage().startsWith("fuzz.conf:" + e.line() + ": "),
                                e.getMessage());
                        return TextFuzz.Verdict.REFUSED;
                    }
                }, CPU_CAP_NANOS, 20_000_000_000L);
        System.out.println("SandboxConfigFuzzTest: " + s + ", seed " + SEED);
        assertTrue(s.accepted() > s.inputs() / 50, "too few inputs accepted to reach past the syntax: " + s);
        assertTrue(s.accepted() < s.inputs(), "nothing refused: " + s);
    }
}
