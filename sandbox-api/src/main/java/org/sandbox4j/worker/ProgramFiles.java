package org.sandbox4j.worker;

import java.nio.file.Path;
import org.sandbox4j.Sandbox;

/**
 * Shows a dynamically linked program to a jail and nothing else of the host's system: the program
 * file, each shared library it loads (as {@code ldd} reports them, bound one file at a time) and the
 * host's {@code /lib}-style symlinks that lead to them. An alternative to {@link
 * Sandbox.Builder#readOnlySystem()}, which shows all of /usr.
 *
 * <pre>{@code
 * Sandbox.Builder b = Sandbox.builder().tmpfs("/tmp");
 * ProgramFiles.bind(b, Path.of("/usr/bin/pdftotext"));
 * }</pre>
 */
public final class ProgramFiles {
    private ProgramFiles() {}

    /** Adds read-only binds of {@code program} and its libraries, at their host paths. */
    public static Sandbox.Builder bind(Sandbox.Builder b, Path program) {
        JvmFiles.forProgram(program).applyTo(b);
        return b;
    }
}
