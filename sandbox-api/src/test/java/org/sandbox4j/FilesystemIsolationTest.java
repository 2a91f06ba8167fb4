package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;

/** Attacks on the jail's file system: each must fail, and its control (without the defence) must work. */
@Tag("kernel")
class FilesystemIsolationTest {

    private static Path secretDir() throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "host-secret-42");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        return dir;
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void hostSecretOutsideTheBindsIsInvisible(JailMode mode) throws Exception {
        Path dir = secretDir();
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "read", dir.resolve("secret.txt").toString());
            assertEquals(1, r.exit().code(), r.toString());
            assertTrue(r.out().startsWith("DENIED ENOENT"), r.toString());

            // Control: the same file bound into the jail is readable by the jail's uid.
            Result control = run(base().readOnly(dir.toString(), "/data").build(), ATTACK, "read", "/data/secret.txt");
            assertTrue(control.ok() && control.out().contains("host-secret-42"), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void readOnlyBindRejectsWrites(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().readOnly(dir.toString(), "/data").build(), ATTACK, "write", "/data/new.txt");
            assertTrue(r.out().startsWith("DENIED EROFS"), r.toString());
            assertFalse(Files.exists(dir.resolve("new.txt")));

            // Control: read-write bind of the same (world-writable) directory lets the write through.
            Result control = run(base().readWrite(dir.toString(), "/data").build(), ATTACK, "write", "/data/new.txt");
            assertTrue(control.ok(), control.toString());
            assertEquals("pwned\n", Files.readString(dir.resolve("new.txt")));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void jailRootIsReadOnly(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "write", "/planted");
            assertTrue(r.out().startsWith("DENIED"), r.toString());
            Result tmp = run(base().build(), ATTACK, "write", "/tmp/scratch");
            assertTrue(tmp.ok(), "the tmpfs at /tmp is the place to write: " + tmp);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void hiddenPathIsUnreadable(JailMode mode) throws Exception {
        Path dir = secretDir();
        Path sub = Files.createDirectory(dir.resolve("keys"));
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(sub.resolve("id_rsa"), "PRIVATE KEY");
        Files.setPosixFilePermissions(sub.resolve("id_rsa"), PosixFilePermissions.fromString("rw-r--r--"));
        try (AutoCloseable m = mode.activate()) {
            Sandbox visible = base().readOnly(dir.toString(), "/home").build();
            assertTrue(run(visible, ATTACK, "read", "/home/keys/id_rsa").ok(), "control: the key is visible without hide()");
            assertTrue(run(visible, ATTACK, "read", "/home/secret.txt").ok());

            Sandbox hidden = visible.toBuilder().hide("/home/keys").hide("/home/secret.txt").build();
            Result dirRead = run(hidden, ATTACK, "read", "/home/keys/id_rsa");
            assertTrue(dirRead.out().startsWith("DENIED ENOENT"), dirRead.toString());
            Result fileRead = run(hidden, ATTACK, "read", "/home/secret.txt");
            assertFalse(fileRead.out().contains("host-secret-42"), fileRead.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void filesSymlinksAndDirectoriesAreCreated(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = base()
                    .file("/etc/config.txt", "from-bytes".getBytes(StandardCharsets.UTF_8))
                    .symlink("/etc/config.txt", "/config")
                    .dir("/var/empty")
                    .build();
            Result r = run(s, ATTACK, "read", "/config");
            assertTrue(r.ok() && r.out().contains("from-bytes"), r.toString());
            assertTrue(run(s, ATTACK, "list", "/var/empty").ok());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void procShowsOnlyTheJailAndDevIsMinimal(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = base().proc("/proc").dev("/dev").build();
            Result proc = run(s, ATTACK, "list", "/proc");
            assertTrue(proc.ok(), proc.toString());
            long pids = java.util.Arrays.stream(proc.out().trim().split(" ")).filter(x -> x.matches("\\d+")).count();
            assertTrue(pids <= 3, "only init and the program: " + proc.out());
            Result dev = run(s, ATTACK, "list", "/dev");
            for (String n : new String[] {"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "stdout", "stderr"}) {
                assertTrue(dev.out().contains(" " + n), n + " missing in " + dev.out());
            }
            assertFalse(dev.out().contains(" sda") || dev.out().contains(" vda") || dev.out().contains(" mem"), dev.out());
            Result sys = run(s, ATTACK, "write", "/proc/sys/kernel/hostname");
            assertTrue(sys.out().startsWith("DENIED"), "/proc/sys must be read-only: " + sys);
        }
    }
}
