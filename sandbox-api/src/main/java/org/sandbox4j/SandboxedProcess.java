package org.sandbox4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.LazyLog;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.PipeStreams;
import org.sandbox4j.internal.Reaper;
import org.sandbox4j.internal.ResultRecords;
import org.sandbox4j.internal.SeccompViolationEvent;
import org.sandbox4j.internal.Spawner;
import org.sandbox4j.internal.Wire;
import org.sandbox4j.seccomp.SeccompViolation;
import org.sandbox4j.seccomp.SyscallRecorder;

/**
 * A program running in a jail. A {@link Process}: streams, {@link #waitFor()}, {@link #onExit()},
 * {@link #destroy()} behave as they do for {@link ProcessBuilder}. On top of that {@link
 * #jailExit()} tells a death by signal from an exit code and reports a wall-clock timeout.
 *
 * <p>{@link #pid()} is the pid of the jail's launcher in the JVM's pid namespace: signals sent to it
 * are forwarded to the program; its exit status mirrors the program's. {@link #destroy()} sends
 * SIGTERM, which reaches the program (its jail ends when it exits); {@link #destroyForcibly()} asks
 * the launcher to SIGKILL the jail's pid 1, which in a new pid namespace kills every process in it,
 * whatever the program did (cleared its parent-death signal, setsid, daemonized); the launcher then
 * exits as the jail did.
 *
 * <p>When the jail ends: once the program (the jail's pid 1, or the program under the jail's init)
 * has ended, by itself, by {@link #destroy()}, {@link #destroyForcibly()}, the time limit or the
 * JVM's death (SIGKILL included: the launcher sees its lifeline close), no process started in the
 * jail survives. With a shared pid namespace ({@link Sandbox.Builder#share(Namespace...)} PID) this
 * rests on the launcher (a subreaper that kills every process it adopted) and is weaker; see there.
 * A SIGKILL sent to the launcher's pid by someone else (not through this class: say {@code
 * toHandle().destroyForcibly()}) kills it before it can kill the jail; the JVM then SIGKILLs the
 * jail's pid 1 through a pidfd it holds, which is enough with a new pid namespace. Only when the
 * launcher and the JVM die at once (a SIGKILL of their process group) can a program that is pid 1
 * ({@link Sandbox.Builder#execDirectly()}) and cleared its parent-death signal survive.
 *
 * <p>In the prestarted mode ({@link Launcher#prestarted()}) there is no per-jail
 * launcher: {@link #pid()} is the jail's pid 1 on the host (jail init, which forwards the same
 * signals; SIGKILL ends the pid namespace), signals go through a pidfd, and the exit comes from the
 * result record alone.
 */
public final class SandboxedProcess extends Process {
    private static final LazyLog LOG = new LazyLog(SandboxedProcess.class);

    private final int pid;
    private final boolean prestarted;
    private int pidfd; // the jail's pid 1 (prestarted: signals; both: killOrphanedJail), -1 once closed (under lock)
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<SandboxedProcess> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    private boolean reaped;
    private volatile @Nullable JailExit jailExit;
    private volatile @Nullable ProcessHandle handle;
    private volatile List<SeccompViolation> violations = List.of();

    private final org.sandbox4j.internal.Cgroups.@Nullable Jail cgroup;

    private volatile @Nullable Isolation isolation;
    /** A jail of another runtime (org.sandbox4j.runtime), null for the launcher's. */
    private final org.sandbox4j.internal.@Nullable ExternalJail external;

    /** A jail started by another runtime: its streams, signals and end come from {@code j}. */
    SandboxedProcess(org.sandbox4j.internal.ExternalJail j) {
        this.external = j;
        this.cgroup = null;
        this.pid = (int) j.pid();
        this.prestarted = false;
        this.pidfd = -1;
        this.stdin = j.stdin();
        this.stdout = j.stdout();
        this.stderr = j.stderr();
        j.exit().whenComplete((e, t) -> {
            jailExit = e != null ? e : JailExit.killed(LibC.SIGKILL, false);
            synchronized (lock) {
                reaped = true;
            }
            exit.complete(this);
        });
    }

    SandboxedProcess(Spawner.Spawned s) throws IOException {
        this(s, null, null);
    }

    SandboxedProcess(Spawner.Spawned s, @Nullable SyscallRecorder recorder,
            org.sandbox4j.internal.Cgroups.@Nullable Jail cgroup) throws IOException {
        this.external = null;
        this.cgroup = cgroup;
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
                reaped = true; // signal() stops here; the pidfd stays open for exited()
            }

            @Override
            public boolean reapable() {
                return !prestarted;
            }

            @Override
            public void exited(int waitStatus, byte[] result) {
                killOrphanedJail(result);
                ResultRecords r = ResultRecords.parse(result);
                violations = r.violations;
                report(r, recorder);
                JailExit e = decode(waitStatus, r);
                if (cgroup != null && cgroup.hasCgroup()) {
                    // The launcher removed the cgroups and sent the counters; killed by SIGKILL it could
                    // not, and Java does both.
                    long[] fromJava = cgroup.finish();
                    e = e.withResources(cgroup.usage(r.cgroupCounters != null ? r.cgroupCounters : fromJava));
                }
                jailExit = e;
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

    /**
     * No result record: the launcher (or the zygote) was killed before it could end the jail, by a
     * SIGKILL from outside the library. The jail's pid 1 may have outlived it (a program that is pid 1
     * may have cleared its pdeathsig): kill it through its pidfd, which names that process and no
     * other. A shared pid namespace's other processes are out of reach here (see
     * Sandbox.Builder#share).
     */
    private void killOrphanedJail(byte[] result) {
        synchronized (lock) {
            if (pidfd < 0) {
                return;
            }
            if (!hasRecord(result)) {
                org.sandbox4j.internal.PrestartedLauncher.kill(pidfd, LibC.SIGKILL);
            }
            LibC.close(pidfd);
            pidfd = -1;
        }
    }

    private static boolean hasRecord(byte[] result) {
        return ResultRecords.parse(result).result != null;
    }

    // ---- seccomp supervisor (issue 15): the launcher's records before the result record ----

    private static final int SIGSYS = 31;

    private void report(ResultRecords r, @Nullable SyscallRecorder recorder) {
        for (SeccompViolation v : r.violations) {
            LOG.get().warn("sandbox4j: jail {}: seccomp refused {}", pid, v);
            SeccompViolationEvent.emit(v, pid);
        }
        if (r.lost > 0 && recorder == null) {
            LOG.get().warn("sandbox4j: jail {}: {} more seccomp violations were not recorded", pid, r.lost);
        }
        if (recorder != null) {
            for (ResultRecords.Learned l : r.learned) {
                recorder.record(l.arch(), l.nr(), l.args(), l.count(), l.comm());
            }
            if (r.lost > 0) {
                LOG.get().warn("sandbox4j: jail {}: {} learned calls did not fit the launcher's table", pid, r.lost);
            }
            recorder.runEnded(r.lost);
        }
    }

    /**
     * The calls the jail's seccomp filter refused or killed, in order (at most the first 64), once
     * the jail has ended; empty while it runs and when the jail does not report violations ({@link
     * Sandbox.Builder#reportViolations(boolean)}).
     */
    public List<SeccompViolation> violations() {
        return violations;
    }

    // ---- end seccomp supervisor ----

    /** The counters of the launcher's cgroup record, or null. */
    static long @Nullable [] cgroupCounters(byte[] result) {
        return ResultRecords.parse(result).cgroupCounters;
    }

    /**
     * What resource control this jail got, in words: the cgroup files written (and where), or the
     * rlimits used instead in best-effort mode. Empty without cgroup limits.
     */
    public java.util.List<String> resourceControl() {
        return cgroup == null ? java.util.List.of() : cgroup.applied();
    }

    /** The jail's cgroup directories (empty without cgroup limits); gone once the jail ended. */
    public java.util.List<java.nio.file.Path> cgroupPaths() {
        return cgroup == null ? java.util.List.of() : cgroup.paths();
    }

    static JailExit decode(int waitStatus, byte[] result) {
        return decode(waitStatus, ResultRecords.parse(result));
    }

    private static JailExit decode(int waitStatus, ResultRecords r) {
        if (r.result != null) {
            int kind = r.result[0];
            int value = r.result[1];
            int flags = r.result[2];
            boolean timedOut = (flags & Wire.RESULT_F_TIME_LIMIT) != 0;
            boolean core = (flags & Wire.RESULT_F_CORE) != 0;
            SeccompViolation by = null;
            if (kind == Wire.RESULT_SIGNALED && value == SIGSYS) {
                for (SeccompViolation v : r.violations) {
                    if (v.killed()) {
                        by = v;
                        break;
                    }
                }
            }
            return kind == Wire.RESULT_SIGNALED ? new JailExit(true, 0, value, timedOut, core, by) : new JailExit(false, value, 0, timedOut, false);
        }
        // No record: the launcher itself was killed (a raw SIGKILL from outside the library) or crashed.
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

    /** The handle of {@link #pid()} while the jail runs; once it has ended, a dead handle. */
    @Override
    public ProcessHandle toHandle() {
        ProcessHandle h = handle;
        if (exit.isDone()) {
            // After the exit the pid is not this jail's any more: not yet reaped (the prestarted
            // launcher reaps pid 1 after the result record), or reaped and perhaps reused. A dead
            // handle, never a lookup of the pid and never an exception.
            if (!(h instanceof org.sandbox4j.internal.ExitedHandle)) {
                h = new org.sandbox4j.internal.ExitedHandle(pid);
                handle = h;
            }
        } else if (h == null) {
            h = ProcessHandle.of(pid).orElseGet(() -> new org.sandbox4j.internal.ExitedHandle(pid));
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

    /**
     * Kills the jail and every process in it: the launcher SIGKILLs the jail's pid 1 (in the
     * prestarted mode the JVM does, through a pidfd), and with a shared pid namespace every process
     * the jail started, then exits as the jail did ({@link JailExit#signal()} 9).
     */
    @Override
    public SandboxedProcess destroyForcibly() {
        signal(LibC.SIGKILL);
        return this;
    }

    /**
     * Sends {@code signal} to the jail: the launcher forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
     * SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT to the program; SIGKILL ends the jail, as {@link
     * #destroyForcibly()}. Does nothing once the process has exited (its pid may then belong to
     * someone else).
     *
     * @param signal the signal number, such as 15 for SIGTERM
     */
    public void signal(int signal) {
        synchronized (lock) {
            if (reaped) {
                return;
            }
            if (external != null) {
                external.signal(signal);
            } else if (!prestarted) {
                // Never SIGKILL the launcher itself: it must live to kill the jail's pid 1, which
                // may be the program, and may have cleared the parent-death signal.
                LibC.kill(pid, signal == LibC.SIGKILL ? LibC.SIG_END_JAIL : signal);
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
