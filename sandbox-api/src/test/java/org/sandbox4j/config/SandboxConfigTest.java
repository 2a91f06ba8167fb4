package org.sandbox4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Namespace;
import org.sandbox4j.Sandbox;
import org.sandbox4j.mount.MountOp;

/** The config format: syntax, directives to builder calls, and mistakes reported at their line. */
class SandboxConfigTest {
    private static final Path BASE = Path.of("/srv/jails");

    private static SandboxConfig parse(String text) {
        return SandboxConfig.parse(text, "t.conf", BASE);
    }

    private static ConfigException mistake(String text) {
        return assertThrows(ConfigException.class, () -> parse(text).applyTo(Sandbox.builder()));
    }

    @Test
    void directivesBecomeBuilderCallsInOrder() {
        String text = String.join("\n",
                "# a comment",
                "tmpfs /tmp:64k      # trailing comment",
                "  ro-bind /usr",
                "bind data:/data",
                "--proc /proc",
                "hostname box",
                "net host",
                "env GREETING=\"hello # world \"",
                "rlimit nofile=64:128",
                "time-limit 1.5",
                "uid 1000",
                "");
        List<String> log = new ArrayList<>();
        Sandbox s = parse(text).applyTo(Sandbox.builder(), log::add).build();
        assertEquals(List.of(new MountOp.Tmpfs("/tmp", 65536, 0755, false),
                new MountOp.Bind("/usr", "/usr", true, false, false),
                new MountOp.Bind("/srv/jails/data", "/data", false, false, false),
                new MountOp.Proc("/proc")), s.mountOps());
        assertEquals("hello # world ", s.environment().get("GREETING"));
        assertTrue(s.sharedNamespaces().contains(Namespace.NET));
        assertEquals(1000, s.uid());
        assertEquals(1500, s.timeLimit().toMillis());
        assertEquals("t.conf:2: tmpfs /tmp:64k -> tmpfs(\"/tmp\", 65536)", log.get(0));
        assertEquals(10, log.size());
    }

    @Test
    void bestEffortDirectives() {
        List<String> log = new ArrayList<>();
        Sandbox s = parse("ro-bind /usr\nbest-effort\n").applyTo(Sandbox.builder(), log::add).build();
        assertTrue(s.bestEffort());
        assertEquals("t.conf:2: best-effort -> bestEffort()", log.get(1));
        assertFalse(parse("ro-bind /usr\n").applyTo(Sandbox.builder()).build().bestEffort(), "strict by default");
        Sandbox r = parse("best-effort-require files, tcp,seccomp\n").applyTo(Sandbox.builder()).build();
        assertEquals(java.util.EnumSet.of(org.sandbox4j.Isolation.Feature.LANDLOCK_FILES,
                org.sandbox4j.Isolation.Feature.LANDLOCK_TCP, org.sandbox4j.Isolation.Feature.SECCOMP), r.bestEffortRequired());
        ConfigException e = mistake("best-effort-require files,namespaces\n");
        assertTrue(e.getMessage().contains("unknown best-effort feature 'namespaces'"), e.getMessage());
    }

    @Test
    void heredocsCarrySeccompPoliciesAndFileContent() {
        SandboxConfig c = parse(String.join("\n",
                "seccomp-string <<EOF",
                "POLICY p {",
                "  ERRNO(1) { uname }   // kafel comments stay in the body",
                "}",
                "USE p DEFAULT ALLOW",
                "EOF",
                "file /etc/motd <<END",
                "line one",
                "  line two",
                "END"));
        Directive sec = c.directives().get(0);
        assertEquals("seccomp-string", sec.name());
        assertEquals(2, sec.bodyLine());
        assertTrue(sec.body().startsWith("POLICY p {\n"));
        Directive file = c.directives().get(1);
        assertEquals("/etc/motd", file.value());
        assertEquals("line one\n  line two", file.body());
        assertEquals(7, file.line());
        Sandbox s = c.applyTo(Sandbox.builder()).build();
        MountOp.File f = (MountOp.File) s.mountOps().get(0);
        assertEquals("line one\n  line two\n", new String(f.content()));
        assertNull(c.directives().get(0).value().isEmpty() ? null : "value");
    }

    @Test
    void badTmpfsSizesNameTheValue() {
        for (String bad : new String[] {"0", "-1", "123bogus", "0k"}) {
            ConfigException e = mistake("tmpfs /tmp:" + bad);
            assertTrue(e.getMessage().startsWith("t.conf:1: tmpfs /tmp:" + bad + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        // Control: a valid size, and a colon in a path that is not followed by a number.
        Sandbox.Builder b = Sandbox.builder();
        parse("tmpfs /tmp:16k\ntmpfs /a:b").applyTo(b);
        assertEquals("[tmpfs(\"/tmp\", 16384), tmpfs(\"/a:b\")]",
                b.build().mountOps().stream().map(org.sandbox4j.mount.MountOp::describe).toList().toString());
    }

    @Test
    void noSymlinksBindDirectives() {
        Sandbox.Builder b = Sandbox.builder();
        parse("ro-bind-no-symlinks /srv/in:/in\nbind-no-symlinks /srv/out:/out").applyTo(b);
        assertEquals("[readOnly(\"/srv/in\", \"/in\", NO_SYMLINKS), readWrite(\"/srv/out\", \"/out\", NO_SYMLINKS)]",
                b.build().mountOps().stream().map(org.sandbox4j.mount.MountOp::describe).toList().toString());
        // Their targets count against the other mounts', as ro-bind's do.
        ConfigException dup = mistake("tmpfs /in\nro-bind-no-symlinks /srv/in:/in");
        assertTrue(dup.getMessage().startsWith("t.conf:2: ") && dup.getMessage().contains("already the target"), dup.getMessage());
    }

    @Test
    void mistakesNameTheirLine() {
        assertEquals("t.conf:2: unknown directive 'ro_bnd'; did you mean 'ro-bind'?",
                assertThrows(ConfigException.class, () -> parse("tmpfs /tmp\nro_bnd /usr")).getMessage());
        ConfigException e = mistake("ro-system\n\ntmpfs tmp");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("t.conf:3: tmpfs tmp: "), e.getMessage());
        assertTrue(mistake("rlimit nofile=lots").getMessage().contains("'lots' is not a number"));
        assertTrue(mistake("ro-system yes").getMessage().contains("takes no value"));
        assertTrue(mistake("uid -3").getMessage().contains("not an id"));
        assertTrue(mistake("net wifi").getMessage().contains("expected none or host"));
        assertTrue(mistake("share time").getMessage().startsWith("t.conf:1: share time: "));
        ConfigException heredoc = assertThrows(ConfigException.class, () -> parse("ro-system\nseccomp-string <<EOF\nPOLICY"));
        assertEquals(2, heredoc.line());
        assertTrue(heredoc.getMessage().contains("never closed"));
        ConfigException policy = mistake("# x\nseccomp-string <<EOF\nPOLICY p {\n  ALLOW { read }\n  FROB { write }\n}\nUSE p DEFAULT KILL\nEOF");
        assertEquals(5, policy.line(), policy.getMessage());
        ConfigException dup = mistake("tmpfs /tmp\nro-bind /usr\nbind /srv/x:/tmp");
        assertEquals(3, dup.line());
        assertTrue(dup.getMessage().contains("already the target of t.conf:1 (tmpfs /tmp)"), dup.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse("name: \"jail\"\nmount {")).getMessage()
                .contains("nsjail's protobuf config"));
        assertTrue(mistake("landlock-ro /etc").getMessage().contains("reserved"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("env A=\"open")).getMessage().contains("no closing"));
        assertTrue(mistake("file /etc/x").getMessage().contains("heredoc"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("tmpfs /tmp <<EOF\nx\nEOF")).getMessage()
                .contains("takes no heredoc"));
    }

    @Test
    void everyDirectiveHasHelp() {
        for (String n : Directives.names()) {
            assertTrue(Directives.help().get(n).length() > 5, n);
        }
    }
}
