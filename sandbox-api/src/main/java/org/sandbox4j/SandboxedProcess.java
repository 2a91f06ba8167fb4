package org.sandbox4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.PipeStreams;
import org.sandbox4j.internal.Reaper;
import org.sandbox4j.internal.Spawner;

/**
 * A program running in a jail. A {@link Process}: streams, {@link #waitFor()}, {@link #onExit()},
 * {@link #destroy()} behave as they do for {@link ProcessBuilder}. On top of that {@link
 * #jailExit()} tells a death by signal from an exit code and reports a wall-clock timeout.
 *
 * <p>{@link #pid()} is the pid of the jail's launcher in the JVM's pid namespace: signals sent to it
 * are forwarded to the program; its exit status mirrors the program's. {@link #destroy()} sends
 * SIGTERM, which reaches the program (its jail ends when it exits); {@link #destroyForcibly()} sends
 * SIGKILL to the launcher, and the whole jail, every process in its pid namespace, dies with it.
 *
 * <p>In the prestarted mode ({@link Sandbox#usePrestartedLauncher(boolean)}) there is no per-jail
 * launcher: {@link #pid()} is the jail's pid 1 on the host (jail init, which forwards the same
 * signals; SIGKILL ends the pid namespace), signals go through a pidfd, and the exit comes from the
 * result record alone.
 */
public final class SandboxedProcess extends Process {
    private static final int RESULT_MAGIC = 0x58344253;

    private final int pid;
    private final boolean prestarted;
    private int pidfd; // prestarted mode: the jail's pid 1, -1 once reaped (under lock)
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<SandboxedProcess> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    private boolean reaped;
    private volatile @Nullable JailExit jailExit;
    private volatile @Nullable ProcessHandle handle;

    private volatile @Nullable Isolation isolation;

    SandboxedProcess(Spawner.Spawned s) throws IOException {
        this.pid = s.pid();
        this.prestarted = s.prestarted();
        this.pidfd = s.pidfd();
        this.stdin = s.stdin() >= 0 ? PipeStreams.out(s.stdin()) : OutputStream.nullOutputStream();
        this.stdout = s.stdout() >= 0 ? PipeStreams.in(s.stdout()) : InputStream.nullInputStream();
        this.stderr = s.stderr() >= 0 ? PipeStreams.in(s.stderr()) : InputStream.nullInputStream();
        Reaper.watch(s.result(), new Reaper.Watcher() {
            @Override
            public int pid() {
                return pid;
            }

            @Override
            public Object lock() {
                return lock;
            }

            @Override
            public void markReaped() {
                reaped = true;
                if (pidfd >= 0) {
                    LibC.close(pidfd);
                    pidfd = -1;
                }
            }

            @Override
            public boolean reapable() {
                return !prestarted;
            }

            @Override
            public void exited(int waitStatus, byte[] result) {
                jailExit = decode(waitStatus, result);
                if (stdout instanceof PipeStreams.In in) {
                    in.processExited();
                }
                if (stderr instanceof PipeStreams.In in) {
                    in.processExited();
                }
                if (stdin instanceof PipeStreams.Out out) {
                    out.processExited();
                }
                exit.complete(SandboxedProcess.this);
            }
        });
    }

    static JailExit decode(int waitStatus, byte[] result) {
        if (result.length >= 16) {
            ByteBuffer bb = ByteBuffer.wrap(result).order(ByteOrder.LITTLE_ENDIAN);
            if (bb.getInt() == RESULT_MAGIC) {
                int kind = bb.getInt();
                int value = bb.getInt();
                int flags = bb.getInt();
                boolean timedOut = (flags & 1) != 0;
                boolean core = (flags & 4) != 0;
                return kind == 2 ? new JailExit(true, 0, value, timedOut, core) : new JailExit(false, value, 0, timedOut, false);
            }
        }
        // No record: the launcher itself was killed (destroyForcibly) or crashed.
        int termsig = waitStatus & 0x7f;
        if (termsig == 0) {
            return JailExit.exited((waitStatus >> 8) & 0xff);
        }
        return new JailExit(true, 0, termsig, false, (waitStatus & 0x80) != 0);
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shell convention: the exit code, or 128 + N for a death by signal N. */
    @Override
    public int exitValue() {
        JailExit e = jailExit;
        if (e == null) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return e.exitValue();
    }

    /** How the program ended, once it has; empty while it runs. */
    public Optional<JailExit> jailExitIfDone() {
        return Optional.ofNullable(jailExit);
    }

    /**
     * How the program ended: waits for it.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public JailExit jailExit() throws InterruptedException {
        waitFor();
        return java.util.Objects.requireNonNull(jailExit);
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.thenApply(p -> p);
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public ProcessHandle toHandle() {
        ProcessHandle h = handle;
        if (h == null) {
            h = ProcessHandle.of(pid).orElseThrow(() -> new UnsupportedOperationException(
                    "process " + pid + " has exited and was reaped"));
            handle = h;
        }
        return h;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    /** Sends SIGTERM; the launcher forwards it to the program. */
    @Override
    public void destroy() {
        signal(LibC.SIGTERM);
    }

    /** Sends SIGKILL to the launcher: the jail and every process in it die. */
    @Override
    public SandboxedProcess destroyForcibly() {
        signal(LibC.SIGKILL);
        return this;
    }

    /**
     * Sends {@code signal} to the jail: the launcher forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
     * SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT to the program; SIGKILL ends the jail. Does nothing once
     * the process has exited (its pid may then belong to someone else).
     */
    public void signal(int signal) {
        synchronized (lock) {
            if (reaped) {
                return;
            }
            if (!prestarted) {
                LibC.kill(pid, signal);
            } else if (pidfd >= 0) {
                org.sandbox4j.internal.PrestartedLauncher.kill(pidfd, signal);
            } else {
                // No pidfd (kernel < 5.3): the pid is the zygote's unreaped child until the result
                // fd's EOF, which the zygote produces before it reaps; see docs/architecture.md.
                LibC.kill(pid, signal);
            }
        }
    }

    /**
     * What confines this jail: the full jail, or best effort ({@link Sandbox.Builder#bestEffort(Isolation.Feature...)})
     * on a host that refused namespaces, with what it could and could not apply.
     */
    public Isolation isolation() {
        return java.util.Objects.requireNonNull(isolation);
    }

    void isolation(Isolation i) {
        this.isolation = i;
    }

    @Override
    public String toString() {
        JailExit e = jailExit;
        return "SandboxedProcess[pid=" + pid + (e == null ? ", running]" : ", " + e + "]");
    }
}
