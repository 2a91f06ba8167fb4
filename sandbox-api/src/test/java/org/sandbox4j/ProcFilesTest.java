package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
            // (The trap ProcFiles exists for: the JDK's Files.readString returns only the first digit.)
        }
        assertNull(ProcFiles.read("/proc/sys/no/such/file"));
    }
}
