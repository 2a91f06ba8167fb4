package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/** The enum of profiles and the names the string API and the command line use for them. */
class SeccompProfileTest {
    @Test
    void theEnumAndTheStringNamesAreOneSet() {
        assertEquals(SeccompProfiles.names(), Arrays.stream(SeccompProfile.values()).map(Enum::name).toList());
        for (SeccompProfile p : SeccompProfile.values()) {
            assertEquals(p, SeccompProfile.of(p.cliName()));
            assertEquals(p, SeccompProfile.of(p.name().toLowerCase(java.util.Locale.ROOT)));
            for (Arch a : Arch.values()) {
                assertArrayEquals(SeccompProfiles.get(p.name(), a).toBytes(), p.program(a).toBytes());
            }
        }
        assertEquals("document-parser", SeccompProfile.DOCUMENT_PARSER.cliName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeccompProfile.of("nope"));
        assertTrue(e.getMessage().startsWith("unknown seccomp profile 'nope'; known profiles: [STDIO_ONLY"), e.getMessage());
    }
}
