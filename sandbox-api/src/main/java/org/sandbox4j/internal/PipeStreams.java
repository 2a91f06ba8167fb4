package org.sandbox4j.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The JVM's ends of a jail's stdio pipes, with the JDK's {@link Process} semantics: once the process
 * has exited, what is left in an output pipe is moved to memory and the pipe closed, and the input
 * pipe is closed, so a caller that never closes the streams leaks no descriptor.
 */
public final class PipeStreams {
    private PipeStreams() {}

    // The JDK offers no public way to wrap a raw fd in a stream. Opening /proc/self/fd/N makes a new
    // descriptor for the same pipe (for an anonymous pipe that open never blocks, unlike a FIFO),
    // after which the original is closed: the streams are then the JDK's own.
    /** An input stream reading the pipe end {@code fd}, which it takes over. */
    public static In in(int fd) throws IOException {
        try {
            return new In(new FileInputStream("/proc/self/fd/" + fd));
        } finally {
            LibC.close(fd);
        }
    }

    /** An output stream writing the pipe end {@code fd}, which it takes over. */
    public static Out out(int fd) throws IOException {
        try {
            return new Out(new FileOutputStream("/proc/self/fd/" + fd));
        } finally {
            LibC.close(fd);
        }
    }

    /** The program's stdout or stderr. */
    public static final class In extends BufferedInputStream {
        In(InputStream in) {
            super(in);
        }

        /** Called once the process has exited: buffers what is left and closes the pipe. */
        public synchronized void processExited() {
            InputStream current = in;
            if (current == null || !(current instanceof FileInputStream)) {
                return;
            }
            try {
                // available() is what the pipe holds: at most its capacity (64 KiB unless the writer
                // raised it, to at most pipe-max-size, 1 MiB, without CAP_SYS_RESOURCE), so a jail
                // that floods its output leaves no more than that in this JVM.
                int n = current.available();
                byte[] rest = n > 0 ? current.readNBytes(n) : new byte[0];
                current.close();
                in = new ByteArrayInputStream(rest);
            } catch (IOException e) {
                // closed by the caller meanwhile: nothing to keep
            }
        }
    }

    /** The program's stdin. */
    public static final class Out extends BufferedOutputStream {
        Out(OutputStream out) {
            super(out);
        }

        /** Called once the process has exited: closes the pipe; later writes fail. */
        public synchronized void processExited() {
            try {
                out.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
