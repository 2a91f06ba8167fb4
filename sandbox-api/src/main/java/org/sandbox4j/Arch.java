package org.sandbox4j;

import java.util.Locale;

/**
 * A CPU architecture sandbox4j supports: the one of the running JVM picks the launcher binary, and
 * seccomp programs are compiled for one of these.
 *
 * <pre>{@code
 * Arch arch = Arch.current();   // X86_64 on a PC, AARCH64 on a Graviton or a Raspberry Pi 4
 * }</pre>
 */
public enum Arch {
    /** x86_64 (amd64). Its seccomp filters must also reject the x32 and i386 system call ABIs. */
    X86_64("linux-x86-64", 0xC000003E),
    /** aarch64 (arm64). */
    AARCH64("linux-aarch64", 0xC00000B7);

    private final String resourcePrefix;
    private final int auditArch;

    Arch(String resourcePrefix, int auditArch) {
        this.resourcePrefix = resourcePrefix;
        this.auditArch = auditArch;
    }

    /** JNA's resource prefix for this architecture, the folder of the jar that holds its binaries. */
    public String resourcePrefix() {
        return resourcePrefix;
    }

    /** The kernel's {@code AUDIT_ARCH_*} value, as seen in {@code seccomp_data.arch}. */
    public int auditArch() {
        return auditArch;
    }

    /**
     * The architecture of the running JVM.
     *
     * @throws UnsupportedOperationException on an architecture or operating system sandbox4j does not
     *     support, naming it
     */
    public static Arch current() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            throw new UnsupportedOperationException(
                    "sandbox4j needs Linux; this JVM runs on " + System.getProperty("os.name"));
        }
        return parse(arch).orElseThrow(() -> new UnsupportedOperationException(
                "sandbox4j supports x86_64 and aarch64; this JVM runs on " + arch));
    }

    /**
     * The architecture a name means, in any case: {@code x86_64}, {@code x86-64}, {@code amd64}
     * (the JDK's {@code os.arch}), {@code aarch64}, {@code arm64}; empty for any other. The one parser
     * of architecture names (the JVM's, the command line's, policy files').
     */
    public static java.util.Optional<Arch> parse(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "amd64":
            case "x86_64":
            case "x86-64":
                return java.util.Optional.of(X86_64);
            case "aarch64":
            case "arm64":
                return java.util.Optional.of(AARCH64);
            default:
                return java.util.Optional.empty();
        }
    }
}
