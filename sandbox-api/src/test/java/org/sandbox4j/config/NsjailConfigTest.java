package org.sandbox4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sandbox4j.IdMap;
import org.sandbox4j.Namespace;
import org.sandbox4j.Sandbox;

/** nsjail's protobuf text configs, translated to directives (issue 17). Pure parsing: no jail runs. */
class NsjailConfigTest {
    private static final Path BASE = Path.of("/tmp");

    private static SandboxConfig parse(String text) {
        return NsjailConfig.parse(text, "j.cfg", BASE);
    }

    private static List<String> lines(SandboxConfig c) {
        List<String> out = new ArrayList<>();
        for (Directive d : c.directives()) {
            out.add(d.where() + " " + d.name() + (d.value().isEmpty() ? "" : " " + d.value()) + (d.body() == null ? "" : " <<" + d.body()));
        }
        return out;
    }

    private static ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text));
    }

    @Test
    void theKeysOfNsjailsExamplesBecomeDirectivesInOrder() {
        SandboxConfig c = parse(String.join("\n",
                "# comment",
                "name: \"smbd\"",
                "description: \"one\" description: 'two'",
                "mode: ONCE",
                "hostname: \"SMB\"",
                "cwd: \"/srv\"",
                "time_limit: 0",
                "rlimit_as: 512",
                "rlimit_cpu_type: INF",
                "rlimit_nofile: 128",
                "rlimit_fsize: 16",
                "rlimit_core: 0",
                "rlimit_nproc: 50",
                "rlimit_nproc_type: VALUE",
                "rlimit_stack_type: INF",
                "rlimit_memlock: 64 rlimit_memlock_type: VALUE",
                "rlimit_rtprio_type: INF rlimit_msgqueue_type: INF",
                "clone_newnet: false",
                "clone_newcgroup: true",
                "skip_setsid: true",
                "keep_caps: false",
                "cap: \"CAP_NET_BIND_SERVICE\"",
                "envar: \"LANG=C\"",
                "envar: \"TERM\"",
                "uidmap { inside_id: \"0\" outside_id: \"100000\" count: 65536 use_newidmap: true }",
                "gidmap {",
                "  inside_id: \"0\"",
                "  outside_id: \"100000\"",
                "  count: 65536",
                "}",
                "mount { src: \"/usr\" dst: \"/usr\" is_bind: true nosuid: true nodev: true }",
                "mount { src: \"/srv/data\" dst: \"/data\" is_bind: true rw: true }",
                "mount { src: \"/no/such/path\" dst: \"/opt\" is_bind: true mandatory: false }",
                "mount { dst: \"/tmp\" fstype: \"tmpfs\" rw: true options: \"size=8m\" }",
                "mount { dst: \"/run\" fstype: \"tmpfs\" }",
                "mount { src_content: \"x:1\\n\" dst: \"/etc/group\" }",
                "mount { src: \"/usr/bin\" dst: \"/bin\" is_symlink: true }",
                "mount { dst: \"/proc\" fstype: \"proc\" }",
                "mount: { dst: \"/empty\" is_dir: true }",
                "seccomp_string: \"ALLOW { read, write, execve }\"",
                "seccomp_string: \"DEFAULT KILL\"",
                "exec_bin { path: \"/usr/sbin/smbd\" arg: \"-F\" arg: \"--no-process-group\" }",
                ""));
        List<String> l = lines(c);
        List<String> expected = List.of(
                "j.cfg:5 hostname SMB", "j.cfg:6 cwd /srv", "j.cfg:18 net host", "j.cfg:20 same-session",
                "j.cfg:22 cap-keep CAP_NET_BIND_SERVICE", "j.cfg:23 env LANG=C", "j.cfg:24 inherit-env TERM",
                "j.cfg:25 uid 0", "j.cfg:25 uid-map 0:100000:65536", "j.cfg:26 gid 0", "j.cfg:26 gid-map 0:100000:65536",
                "j.cfg:31 ro-bind /usr", "j.cfg:32 bind /srv/data:/data", "j.cfg:34 tmpfs /tmp:8m", "j.cfg:35 tmpfs /run",
                "j.cfg:35 remount-ro /run", "j.cfg:36 file /etc/group <<x:1", "j.cfg:37 symlink /usr/bin:/bin",
                "j.cfg:38 proc /proc", "j.cfg:39 dir /empty", "j.cfg:40 seccomp-string <<ALLOW { read, write, execve }\nDEFAULT KILL",
                "j.cfg:8 rlimit as=512m", "j.cfg:12 rlimit core=0m", "j.cfg:9 rlimit cpu=inf", "j.cfg:11 rlimit fsize=16m",
                "j.cfg:10 rlimit nofile=128", "j.cfg:13 rlimit nproc=50", "j.cfg:15 rlimit stack=inf", "j.cfg:16 rlimit memlock=64k",
                "j.cfg:17 rlimit rtprio=inf", "j.cfg:17 rlimit msgqueue=inf");
        assertEquals(expected, l);
        assertEquals(List.of("/usr/sbin/smbd", "-F", "--no-process-group"), c.command());
        // The directives build a jail (every value is valid for the builder too).
        Sandbox s = c.applyTo(Sandbox.builder()).build();
        assertEquals(List.of(new IdMap(0, 100000, 65536)), s.uidMaps());
        assertTrue(s.sharedNamespaces().contains(Namespace.NET));
        assertEquals(null, s.timeLimit());
    }

    @Test
    void nsjailsDefaultsApplyWhereTheFileIsSilent() {
        List<String> l = lines(parse("mode: ONCE\n"));
        assertTrue(l.contains("j.cfg (nsjail's default) time-limit 600"), l.toString());
        assertTrue(l.contains("j.cfg (nsjail's default) hostname NSJAIL"), l.toString());
        assertTrue(l.contains("j.cfg (nsjail's default) rlimit as=4096m"), l.toString());
        assertTrue(l.contains("j.cfg (nsjail's default) rlimit nofile=32"), l.toString());
        assertTrue(l.contains("j.cfg (nsjail's default) rlimit fsize=1m"), l.toString());
        List<String> none = lines(parse("disable_rl: true\ntime_limit: 5\nclone_newuts: false\n"));
        assertEquals(List.of("j.cfg:2 time-limit 5", "j.cfg:3 share uts"), none);
    }

    @Test
    void unsupportedAndUnknownKeysAreErrorsNamingKeyAndLine() {
        ConfigException e = error("mode: ONCE\nfrobnicate: 1\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("frobnicate: unknown nsjail key"), e.getMessage());
        e = error("mount {\n  dst: \"/x\"\n  frob: true\n}\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("frob: unknown key in mount"), e.getMessage());
        for (String bad : List.of("daemon: true", "mode: LISTEN", "port: 8000", "silent: true", "keep_caps: true",
                "cgroup_mem_max: 100", "log_level: DEBUG", "macvlan_iface: \"eth0\"", "clone_newtime: true",
                "disable_no_new_privs: true", "persona_addr_no_randomize: true", "iface_no_lo: true",
                "mount { dst: \"/sys\" fstype: \"sysfs\" }", "mount { dst: \"/t\" fstype: \"tmpfs\" options: \"mode=700\" }",
                "exec_bin { path: \"/bin/sh\" arg0: \"sh\" }", "mount { src: \"/a\" dst: \"/b\" is_bind: true noexec: true }")) {
            ConfigException x = error("name: \"n\"\n" + bad + "\n");
            assertEquals(2, x.line(), bad + " -> " + x.getMessage());
            assertTrue(x.getMessage().startsWith("j.cfg:2: "), x.getMessage());
        }
        // nsjail's defaults are accepted: they ask for nothing.
        parse("daemon: false\nport: 0\ncgroup_pids_max: 0\nforward_signals: true\nseccomp_log: false\n");
    }

    @Test
    void syntaxMistakesNameTheirLine() {
        ConfigException e = error("name: \"x\"\nmount {\n  dst: \"/x\"\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
        e = error("hostname: \"open\n");
        assertEquals(1, e.line());
        e = error("rlimit_as: lots\n");
        assertTrue(e.getMessage().contains("rlimit_as: expected a number"), e.getMessage());
        e = error("clone_newnet: 0\n");
        assertTrue(e.getMessage().contains("expected true or false"), e.getMessage());
        e = error("}\n");
        assertTrue(e.getMessage().contains("without a matching"), e.getMessage());
        assertEquals("a\tb\"c\u0041", lines(parse("hostname: \"a\\tb\\\"c\\101\"\n")).get(0).substring("j.cfg:1 hostname ".length()));
        assertEquals("j.cfg:1 env A=bc", lines(parse("envar: \"A=b\" \"c\"\ndisable_rl: true time_limit: 0\n")).get(0));
    }

    @Test
    void detectionTellsTheFormatsApart() {
        assertTrue(NsjailConfig.looksLikeNsjail("# x\n\nname: \"a\"\n"));
        assertTrue(NsjailConfig.looksLikeNsjail("mount {\n"));
        assertFalse(NsjailConfig.looksLikeNsjail("# x\nro-system\ntmpfs /tmp\n"));
        assertFalse(NsjailConfig.looksLikeNsjail("env A=b:c\n"));
    }
}
