package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.internal.ProcFiles;

/** Integer sysctls read whole, as cat(1) shows them. */
@Tag("kernel")
class ProcFilesTest {
    @Test
    void multiDigitSysctlsReadWhole() throws Exception {
        for (String f : new String[] {"/proc/sys/kernel/pid_max", "/proc/sys/user/max_user_namespaces"}) {
            Process cat = new ProcessBuilder("cat", f).start();
            String expected = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, cat.waitFor());
            assertTrue(expected.length() > 1, "a multi-digit value to test with: " + expected);
            assertEquals(expected, ProcFiles.read(f), f);
            // The trap this class exists for: the JDK's readString drops all but the first digit.
            String jdk = Files.readString(Path.of(f)).trim();
            assertTrue(jdk.length() < expected.length() || jdk.equals(expected), "JDK read " + jdk);
        }
        assertNull(ProcFiles.read("/proc/sys/no/such/file"));
    }
}
