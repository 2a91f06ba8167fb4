package org.sandbox4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Sandbox;
import org.sandbox4j.TextFuzz;

/**
 * Hostile configuration files (issue #10, class 5): each is refused with {@code FILE:LINE} within 1 s
 * of CPU, and the same file just inside the limit is accepted.
 */
@Tag("unit")
class SandboxConfigLimitsTest {
    private static final Path BASE = Path.of("/srv/jails");

    private static <T> T timed(String name, Supplier<T> work) {
        return TextFuzz.timed("SandboxConfigLimitsTest." + name, work);
    }

    private static ConfigException refused(String name, String text) {
        return timed(name, () -> assertThrows(ConfigException.class,
                () -> SandboxConfig.parse(text, "t.conf", BASE).applyTo(Sandbox.builder())));
    }

    private static SandboxConfig accepted(String name, String text) {
        return timed(name, () -> {
            SandboxConfig c = SandboxConfig.parse(text, "t.conf", BASE);
            c.applyTo(Sandbox.builder());
            return c;
        });
    }

    @Test
    void configsOverOneMebibyteAreRefused(@TempDir Path dir) throws Exception {
        String limit = "ro-system\n#" + "x".repeat(SandboxConfig.MAX_SIZE - 11);
        assertEquals(SandboxConfig.MAX_SIZE, limit.length());
        assertEquals(1, accepted("exactlyOneMebibyte", limit).directives().size());
        ConfigException e = refused("oneMebibytePlusOne", limit + "x");
        assertTrue(e.getMessage().startsWith("t.conf:1: the configuration is 1048577 characters long"), e.getMessage());
        // a file is refused without reading it all: 1 MiB + 1 bytes, and /dev/zero, which never ends
        Path big = dir.resolve("big.conf");
        Files.writeString(big, limit + "x");
        e = timed("loadOneMebibytePlusOne", () -> assertThrows(ConfigException.class, () -> SandboxConfig.load(big)));
        assertTrue(e.getMessage().startsWith(big + ":1: the file is larger than 1048576 bytes"), e.getMessage());
        e = timed("loadDevZero", () -> assertThrows(ConfigException.class, () -> SandboxConfig.load(Path.of("/dev/zero"))));
        assertTrue(e.getMessage().startsWith("/dev/zero:1: the file is larger"), e.getMessage());
        Path ok = dir.resolve("ok.conf");
        Files.writeString(ok, limit);
        assertEquals(1, SandboxConfig.load(ok).directives().size());
    }

    @Test
    void moreThan4096DirectivesAreRefused() {
        assertEquals(4096, accepted("directives4096", "env A=B\n".repeat(4096)).directives().size());
        ConfigException e = refused("directives4097", "env A=B\n".repeat(4097));
        assertEquals(4097, e.line());
        assertTrue(e.getMessage().startsWith("t.conf:4097: more than 4096 directives"), e.getMessage());
    }

    @Test
    void moreThanEightSeccompDirectivesAreRefused() {
        accepted("seccomp8", "seccomp-string DEFAULT ALLOW\n".repeat(8));
        ConfigException e = refused("seccomp9", "seccomp-string DEFAULT ALLOW\n".repeat(8) + "no-seccomp\n");
        assertTrue(e.getMessage().startsWith("t.conf:9: more than 8 seccomp directives"), e.getMessage());
    }

    @Test
    void pathologicalPoliciesInAHeredocAreRefusedAtTheirConfigLine() {
        String parens = "ALLOW { read(fd) { " + "(".repeat(50_000) + "fd == 1" + ")".repeat(50_000) + " } } DEFAULT KILL";
        ConfigException e = refused("heredocFiftyThousandParentheses", "ro-system\nseccomp-string <<EOF\n\n" + parens + "\nEOF\n");
        assertTrue(e.getMessage().startsWith("t.conf:4: seccomp policy: line 2, column 220: conditions nest deeper"
                + " than 200 levels"), e.getMessage());
        StringBuilder andOr = new StringBuilder("seccomp-string ALLOW { write(fd, b, c) { ");
        for (int i = 0; i < 22; i++) {
            andOr.append(i > 0 ? " && " : "").append("(fd == ").append(i).append(" || c == ").append(i).append(")");
        }
        e = refused("inlineAndOverOr", "ro-system\n" + andOr + " } } DEFAULT KILL\n");
        assertTrue(e.getMessage().startsWith("t.conf:2: seccomp-string: policy line 1, column "), e.getMessage());
        assertTrue(e.getMessage().contains("more than 65536 rules and conditions"), e.getMessage());
    }

    @Test
    void longNamesAreRefusedQuicklyWithShortMessages() {
        ConfigException e = refused("megabyteOfDashes", "-".repeat(1_000_000));
        assertTrue(e.getMessage().length() < 1000, "message of " + e.getMessage().length() + " chars");
        e = refused("longUnknownDirective", "x".repeat(500_000) + " value");
        assertTrue(e.getMessage().startsWith("t.conf:1: unknown directive 'xxx") && e.getMessage().length() < 1000,
                e.getMessage());
    }

    @Test
    void aNulInAMountPathIsAConfigError() { // found by SandboxConfigFuzzTest: it escaped as InvalidPathException
        ConfigException e = refused("nulInPath", "ro-system\ndir /var/\0empty\n");
        assertTrue(e.getMessage().startsWith("t.conf:2: dir /var/"), e.getMessage());
        accepted("pathWithoutNul", "ro-system\ndir /var/empty\n");
    }
}
