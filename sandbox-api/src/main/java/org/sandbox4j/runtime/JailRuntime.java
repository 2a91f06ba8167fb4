package org.sandbox4j.runtime;

/**
 * What runs a jail: sandbox4j's own launcher on the host kernel ({@link #NATIVE}, the default) or
 * gVisor's {@code runsc} ({@link #GVISOR}), which puts a user-space kernel between the program and
 * the host's. The same {@link org.sandbox4j.Sandbox} describes both; a builder call the runtime
 * cannot honour is refused by {@code build()} with a {@link RuntimeOptionException} naming it.
 *
 * <pre>{@code
 * Sandbox s = Sandbox.builder().readOnlySystem().tmpfs("/tmp")
 *         .runtime(JailRuntime.GVISOR)
 *         .build();
 * Process p = s.start("/usr/bin/pdftotext", "/in/a.pdf", "-");   // runs under runsc
 * }</pre>
 *
 * <p>See docs/runtimes.md for the table of builder calls and what each runtime makes of them.
 */
public enum JailRuntime {
    /** The launcher: namespaces, seccomp, Landlock and cgroups of the host kernel. */
    NATIVE,
    /** gVisor ({@code runsc}): the program's system calls are served by gVisor's Sentry. */
    GVISOR;

    /** Parses {@code native} or {@code gvisor} (case-insensitive; {@code runsc} is an alias). */
    public static JailRuntime parse(String name) {
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "native":
                return NATIVE;
            case "gvisor":
            case "runsc":
                return GVISOR;
            default:
                throw new IllegalArgumentException("unknown runtime '" + name + "': expected native or gvisor");
        }
    }

    /** The name as the CLI and config files spell it: {@code native}, {@code gvisor}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
