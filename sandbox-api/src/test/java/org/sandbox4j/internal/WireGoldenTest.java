package org.sandbox4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;
import org.sandbox4j.landlock.LandlockPlan;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompViolation;

/**
 * Golden files of the wire, one side writes and the other reads (sandbox-api/src/test/resources/wire/):
 * {@code spec.bin} is what Java's {@link SpecWriter} writes for a spec with every record type, which
 * sandbox-native/test/wire_test.c decodes with the launcher's own decoder and checks field by field;
 * {@code status.bin} and {@code result.bin} are what the launcher's report.c writes, checked
 * byte for byte by {@code make -C sandbox-native check}, which this test reads with Java's parsers.
 *
 * <p>After a deliberate change of the encoding: {@code mvn -pl sandbox-api test -Dtest=WireGoldenTest
 * -Dsandbox4j.wire.regenerate=true} rewrites spec.bin (then update wire_test.c's checks), and
 * {@code sandbox-native/target/test/wire_test --write sandbox-api/src/test/resources/wire} rewrites
 * status.bin and result.bin.
 */
class WireGoldenTest {
    static final Path DIR = Path.of(System.getProperty("sandbox4j.test.wire", "src/test/resources/wire"));

    /** Every record type once (OP once per kind, IDMAP once per map), with values wire_test.c knows. */
    static byte[] goldenSpec() {
        SpecWriter w = new SpecWriter().header();
        w.flags(Wire.NS_ALL, Wire.OPT_INIT | Wire.OPT_NEW_SESSION | Wire.OPT_NO_NEW_PRIVS | Wire.OPT_DIE_WITH_PARENT
                | Wire.OPT_ROOT_READONLY | Wire.OPT_LOOPBACK_UP);
        w.ids(1000, 1001, Wire.SPEC_ID_DEFAULT, Wire.SPEC_ID_DEFAULT);
        w.idmap(Wire.IDMAP_UID, 0, 100000, 65536);
        w.idmap(Wire.IDMAP_GID, 0, 200000, 65536);
        w.hostname("golden");
        w.root(Wire.ROOT_TMPFS, 0, "");
        byte[] none = new byte[0];
        w.op(0, Wire.OP_BIND, Wire.OPF_READ_ONLY | Wire.OPF_NO_SYMLINKS, 0, "/usr", "/usr", none);
        w.op(1, Wire.OP_TMPFS, 0, 01777, "", "/tmp", "1048576".getBytes(StandardCharsets.US_ASCII));
        w.op(2, Wire.OP_PROC, 0, 0, "", "/proc", none);
        w.op(3, Wire.OP_DEV, Wire.OPF_WITH_PTS, 0, "", "/dev", none);
        w.op(4, Wire.OP_SYMLINK, 0, 0, "usr/bin", "/bin", none);
        w.op(5, Wire.OP_DIR, 0, 0755, "", "/work", none);
        w.op(6, Wire.OP_FILE, 0, 0644, "", "/etc/hostname", new byte[] {'g', 0, 'x', '\n'});
        w.op(7, Wire.OP_HIDE, 0, 0, "", "/usr/secret", none);
        w.op(8, Wire.OP_REMOUNT_RO, 0, 0, "", "/work", none);
        w.op(9, Wire.OP_BIND, Wire.OPF_OPTIONAL | Wire.OPF_ALLOW_DEVICES, 0, "/srv/d\u00e9j\u00e0", "/data", none);
        w.exec("/bin/sh");
        w.strings(Wire.REC_ARGV, List.of("sh", "-c", "echo \u00e9"));
        w.strings(Wire.REC_ENV, List.of("PATH=/usr/bin", "LANG=C.UTF-8"));
        w.cwd("/work");
        w.rlimit(7, 64, 128);
        w.caps(1L << 21 | 1L << 40);
        w.fdmap(Wire.FD_FIRST_KEPT, 3);
        w.timeLimit(5000);
        w.seccomp(2, Wire.SUPERVISE_REPORT, SpecWriter.RET_ALLOW_PROGRAM);
        w.landlock(LandlockPlan.resolve(LandlockRuleset.builder().readOnly("/usr").allowTcpConnect(443).build(), 6));
        w.cgroup(Wire.CG_F_V2 | Wire.CG_F_INTO, "/sys/fs/cgroup/sb4j/golden",
                List.of(new String[] {"memory.peak", ""}, new String[] {"pids.events", "max"}));
        return w.toByteArray();
    }

    @Test
    void javaWritesTheGoldenSpec() throws IOException {
        byte[] now = goldenSpec();
        Path file = DIR.resolve("spec.bin");
        if (Boolean.getBoolean("sandbox4j.wire.regenerate")) {
            Files.write(file, now);
        }
        assertArrayEquals(Files.readAllBytes(file), now, "SpecWriter's encoding changed; if deliberately, rerun with"
                + " -Dsandbox4j.wire.regenerate=true and update sandbox-native/test/wire_test.c (see this class)");
    }

    @Test
    void javaReadsTheLaunchersGoldenStatus() throws Exception {
        Spawner.Status s = Spawner.parseStatus(Files.readAllBytes(DIR.resolve("status.bin")));
        assertEquals(new Spawner.Status(9, 2, "bind", "/srv/d\u00e9j\u00e0",
                "open bind source /srv/d\u00e9j\u00e0: No such file or directory"), s);
    }

    @Test
    void javaReadsTheLaunchersGoldenResult() throws Exception {
        ResultRecords r = ResultRecords.parse(Files.readAllBytes(DIR.resolve("result.bin")));
        assertEquals(1, r.violations.size());
        SeccompViolation v = r.violations.get(0);
        assertEquals(Arch.X86_64, v.arch());
        assertEquals("ptrace", v.name());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 0x123456789abcdef0L), v.args());
        assertEquals(2, v.pid());
        assertEquals(SeccompAction.KILL_PROCESS, v.action());
        assertEquals("attack", v.program());
        assertEquals(1, r.learned.size());
        ResultRecords.Learned l = r.learned.get(0);
        assertEquals(0xC00000B7, l.arch());
        assertEquals(63, l.nr());
        assertEquals(7, l.count());
        assertEquals("sh", l.comm());
        assertArrayEquals(new long[] {3, 0, 4096, 0, 0, -1L}, l.args());
        assertEquals(5, r.lost);
        assertArrayEquals(new long[] {1048576, 12, Wire.CG_UNREADABLE}, r.cgroupCounters);
        assertNotNull(r.result);
        assertArrayEquals(new int[] {Wire.RESULT_SIGNALED, 31, Wire.RESULT_F_TIME_LIMIT | Wire.RESULT_F_CORE}, r.result);
    }
}
