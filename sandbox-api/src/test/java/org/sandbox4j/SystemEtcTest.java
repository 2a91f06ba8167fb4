package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.limits.Rlimit;

/**
 * {@code readOnlySystem()} shows the curated /etc files programs need to behave, and none of the
 * host's secrets or its list of users.
 */
@Tag("kernel")
class SystemEtcTest {
    private static final String CONVERT = "/usr/bin/convert";

    private static Sandbox.Builder system() {
        return JailTestSupport.base().readOnlySystem().rlimit(Rlimit.AS, 1L << 30);
    }

    /** A 1-bit grey PNG whose header says 40000 × 40000 pixels (195 KiB on disk, 1.6 G pixels). */
    static byte[] hugePng() throws Exception {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[1 + 40000 / 8];
            for (int i = 0; i < 40000; i++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(40000).putInt(40000).put((byte) 1)
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void imageMagickRefusesAHugeImageInAJailAsOnTheHost(JailMode mode) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(CONVERT)) && Files.isDirectory(Path.of("/etc/ImageMagick-6")),
                "ImageMagick 6 is not installed (.ci/install-deps installs it)");
        Path dir = JailTestSupport.worldReadableDir();
        Path png = dir.resolve("huge.png");
        Files.write(png, hugePng());
        png.toFile().setReadable(true, false);
        Process host = new ProcessBuilder(CONVERT, png.toString(), "ppm:/dev/null").redirectErrorStream(true).start();
        String hostOut = new String(host.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int hostExit = host.waitFor();
        assertEquals(1, hostExit, hostOut);
        try (AutoCloseable m = mode.activate()) {
            long t0 = System.nanoTime();
            Result jailed = run(system().readOnly(png.toString(), "/in/huge.png").redirectErrorStream(true).build(),
                    CONVERT, "/in/huge.png", "ppm:/dev/null");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(hostExit, jailed.exit().code(), jailed.toString());
            assertEquals(hostOut.replace(png.toString(), "/in/huge.png"), jailed.out(), jailed.toString());
            // refused at the header, as on the host; without the policy ImageMagick decodes for a minute
            assertTrue(ms < 15_000, ms + " ms");
            assertTrue(run(system().build(), CONVERT, "-list", "resource").out().contains("Width: 16KP"));
            // control: the same jail without the policy file has no width limit
            Result bare = run(system().hide("/etc/ImageMagick-6/policy.xml").build(), CONVERT, "-list", "resource");
            assertTrue(bare.ok(), bare.toString());
            assertFalse(bare.out().contains("Width: 16KP"), bare.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theJailSeesTheCuratedEtcAndNoSecret(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox jail = system().build();
            Result passwd = run(jail, "/bin/cat", "/etc/passwd", "/etc/group");
            assertTrue(passwd.ok(), passwd.toString());
            assertTrue(passwd.out().contains("nobody:x:65534"), passwd.toString());
            assertEquals(4, passwd.out().lines().count(), "only root and nobody: " + passwd);
            Result id = run(jail, "/usr/bin/id");
            assertTrue(id.out().contains("uid=65534(nobody)"), id.toString());
            for (String f : new String[] {"/etc/nsswitch.conf", "/etc/hosts", "/etc/ld.so.cache"}) {
                if (Files.exists(Path.of(f))) {
                    assertTrue(run(jail, "/bin/cat", f).ok(), f);
                }
            }
            for (String secret : new String[] {"/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/ssl/private",
                    "/etc/machine-id", "/etc/sudoers", "/etc/ld.so.preload"}) {
                Result r = run(jail, "/bin/ls", "-d", secret);
                assertFalse(r.ok(), secret + " is visible: " + r);
                assertTrue(r.out().isEmpty(), r.toString());
            }
            // a call of the caller's own for one of these paths replaces readOnlySystem()'s
            Result own = run(system().file("/etc/passwd", "app:x:1000:1000::/:/bin/false\n".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)).build(), "/bin/cat", "/etc/passwd");
            assertEquals("app:x:1000:1000::/:/bin/false\n", own.out(), own.toString());
            // control: the host's passwd names more than root and nobody
            assertTrue(Files.readAllLines(Path.of("/etc/passwd")).size() > 2);
        }
    }
}
