package org.sandbox4j.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.JailExit;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.internal.BoundedLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One worker JVM: its process, its protocol streams, its stderr pump. Used by one thread at a time. */
final class Worker {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final int TAIL_LINES = 20;
    /** The longest stderr line kept or logged, in bytes; the tail is then at most 20 × 8 KiB. */
    static final int MAX_LINE = BoundedLines.DEFAULT_MAX_LINE;
    private static final int LOG_LINES_PER_SECOND = 200;
    private static final int SIGSYS = 31;

    private final String name;
    private final SandboxedProcess process;
    private final DataOutputStream in;
    private final DataInputStream out;
    private final Thread stderrPump;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final int maxReply;
    private volatile boolean timedOut;
    /** Host pids of the jail's processes, for finding a seccomp kill in the kernel log. */
    private String jailPids = "";
    private int tasks;

    private Worker(String name, SandboxedProcess process, int maxReply) {
        this.name = name;
        this.process = process;
        this.maxReply = maxReply;
        this.in = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.out = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.stderrPump = new Thread(this::pumpStderr, name + "-stderr");
        stderrPump.setDaemon(true);
        stderrPump.start();
    }

    /** Starts a worker and waits for its READY frame (at most {@code startMillis}). */
    static Worker start(String name, WorkerSpec spec, String handlerClass, int maxRequest, int maxReply,
            long startMillis, ScheduledExecutorService timer) throws WorkerException {
        SandboxedProcess p;
        try {
            p = spec.sandbox().start(spec.command(WorkerMain.class.getName(),
                    List.of(handlerClass, Integer.toString(maxRequest))));
        } catch (IOException e) {
            throw new WorkerException(WorkerException.Kind.START_FAILED, name + ": " + e.getMessage(), null, null, null,
                    "", e);
        }
        Worker w = new Worker(name, p, maxReply);
        ScheduledFuture<?> kill = timer.schedule(w::timeOut, startMillis, TimeUnit.MILLISECONDS);
        try {
            Frames.Reply r = Frames.readReply(w.out, 0);
            if (r.status() != Frames.READY) {
                throw new Frames.ProtocolException("expected READY, got status " + r.status());
            }
        } catch (IOException e) {
            WorkerException f = w.failure(e);
            throw new WorkerException(WorkerException.Kind.START_FAILED, name + " did not start: " + f.getMessage(),
                    f.jailExit().orElse(null), null, null, "", e);
        } finally {
            kill.cancel(false);
        }
        w.jailPids = SeccompLog.descendants(p.pid());
        LOG.debug("{} ready (launcher pid {}, jail pids{})", name, p.pid(), w.jailPids);
        return w;
    }

    String name() {
        return name;
    }

    int tasks() {
        return tasks;
    }

    /** The launcher's pid (the JVM runs two levels below it, in the jail's pid namespace). */
    long pid() {
        return process.pid();
    }

    /**
     * Sends one request and waits for the reply. On any failure but a handler exception the worker
     * is dead when this throws.
     */
    byte[] call(byte[] request, long timeoutMillis, ScheduledExecutorService timer) throws WorkerException {
        tasks++;
        ScheduledFuture<?> kill = timeoutMillis > 0 ? timer.schedule(this::timeOut, timeoutMillis, TimeUnit.MILLISECONDS)
                : null;
        Frames.Reply r;
        try {
            Frames.writeRequest(in, request);
            r = Frames.readReply(out, maxReply);
        } catch (IOException e) {
            throw failure(e);
        } finally {
            if (kill != null) {
                kill.cancel(false);
            }
        }
        if (r.status() == Frames.OK) {
            return r.payload();
        }
        if (r.status() == Frames.ERROR) {
            // The worker writes this text: an exception message of many MiB would otherwise be copied
            // into every log line and message that mentions the failure.
            String[] parts = new String(r.payload(), StandardCharsets.UTF_8).split("\n", 3);
            String cls = cut(parts[0], 256);
            String msg = parts.length > 1 ? cut(parts[1], MAX_LINE) : "";
            throw new WorkerException(WorkerException.Kind.HANDLER_ERROR, name + ": the handler threw " + cls
                    + (msg.isEmpty() ? "" : ": " + msg), null, null, cls, "", null);
        }
        kill();
        throw failure(new Frames.ProtocolException("unknown reply status " + r.status()));
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + " [... " + (s.length() - max) + " more characters cut]";
    }

    private void timeOut() {
        timedOut = true;
        process.destroyForcibly();
    }

    /** Kills the worker, waits for it, and says why it failed. */
    WorkerException failure(IOException cause) {
        boolean protocol = cause instanceof Frames.ProtocolException;
        if (!timedOut && !protocol) {
            // The worker's end may be the kernel's (its memory limit): let the launcher report it
            // before the SIGKILL below would cut its report short.
            try {
                process.waitFor(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kill();
        JailExit exit = awaitExit();
        String stderr = tail();
        WorkerException.Kind kind;
        String msg;
        if (timedOut) {
            kind = WorkerException.Kind.TIMEOUT;
            msg = name + " ran out of time and was killed";
        } else if (protocol) {
            kind = WorkerException.Kind.PROTOCOL;
            msg = name + ": " + cause.getMessage();
        } else if (exit != null && exit.limitReached().orElse(null) == org.sandbox4j.cgroup.ResourceLimit.MEMORY) {
            kind = WorkerException.Kind.MEMORY_LIMIT;
            msg = name + " was killed by the kernel at its " + exit.usage().orElseThrow().describe(org.sandbox4j.cgroup.ResourceLimit.MEMORY);
        } else if (exit != null && exit.signaled() && exit.signal() == SIGSYS) {
            kind = WorkerException.Kind.SECCOMP;
            msg = name + " was killed by its seccomp filter (SIGSYS)";
        } else if (exit != null && (stderr.contains("java.lang.OutOfMemoryError")
                || stderr.contains("insufficient memory for the Java Runtime") || stderr.contains("Native memory allocation"))) {
            kind = WorkerException.Kind.OUT_OF_MEMORY;
            msg = name + " ran out of memory (" + exit + ")";
        } else {
            kind = WorkerException.Kind.CRASH;
            msg = name + " died: " + (exit == null ? "still running after SIGKILL" : exit.toString());
        }
        String syscall = kind == WorkerException.Kind.SECCOMP ? SeccompLog.lastKilledSyscall(jailPids) : null;
        if (syscall != null) {
            msg += " on " + syscall;
        }
        return new WorkerException(kind, msg, exit, syscall, null, stderr, cause);
    }

    /** destroyForcibly(): the launcher kills the whole jail, then exits. */
    void kill() {
        process.destroyForcibly();
    }

    /** Closes stdin (the worker exits by itself), then kills it if it has not within {@code graceMillis}. */
    void shutdown(long graceMillis) {
        closeQuietly(in);
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
        awaitExit();
    }

    /**
     * Waits (up to 10 s, not interruptibly: a pool being closed must still clean up) for the jail
     * to end, then closes the worker's streams.
     */
    private @Nullable JailExit awaitExit() {
        boolean interrupted = Thread.interrupted();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (process.isAlive() && System.nanoTime() < deadline) {
                try {
                    process.waitFor(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!process.isAlive()) {
                while (true) {
                    try {
                        awaitJailGone();
                        stderrPump.join(2000);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return process.jailExitIfDone().orElse(null);
        } finally {
            closeQuietly(out);
            closeQuietly(in);
            closeQuietly(process.getErrorStream());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // a dead worker's pipe
        }
    }

    /**
     * The launcher's exit does not wait for the jail's other processes: when it is killed, the
     * kernel kills them, and a JVM with many threads takes a moment to go. Wait for that, so a
     * closed pool has really left nothing running.
     */
    private void awaitJailGone() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (String pid : jailPids.trim().split("\\s+")) {
            if (pid.isEmpty()) {
                continue;
            }
            java.nio.file.Path stat = java.nio.file.Path.of("/proc", pid, "stat");
            while (running(stat) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        }
    }

    private static boolean running(java.nio.file.Path stat) {
        try {
            String s = java.nio.file.Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Copies the worker's stderr to the log and keeps its last lines for failure reports. Nothing
     * the worker writes can grow this JVM's memory: lines are cut at {@link #MAX_LINE} bytes (with a
     * note saying how much), the tail keeps {@link #TAIL_LINES} of them, and at most {@link
     * #LOG_LINES_PER_SECOND} lines a second reach SLF4J (the rest are counted, then reported in one
     * line), so a flooding worker cannot drown the application's log either.
     */
    private void pumpStderr() {
        LogBudget budget = new LogBudget(LOG_LINES_PER_SECOND);
        try (java.io.InputStream err = process.getErrorStream()) {
            BoundedLines r = new BoundedLines(err, MAX_LINE);
            String line;
            while ((line = r.readLine()) != null) {
                boolean log = budget.admit(System.nanoTime());
                reportRefused(budget, false);
                if (log) {
                    LOG.info("[{}] {}", name, line);
                }
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
            }
        } catch (IOException e) {
            // the pipe closes when the jail ends
        }
        reportRefused(budget, true);
    }

    private void reportRefused(LogBudget budget, boolean all) {
        long n = budget.takeRefused(all);
        if (n > 0) {
            LOG.warn("[{}] {} lines of stderr not logged (more than {} a second)", name, n, budget.perSecond());
        }
    }

    private String tail() {
        synchronized (tail) {
            StringBuilder sb = new StringBuilder();
            for (String l : tail) {
                sb.append("    ").append(l).append('\n');
            }
            return sb.toString();
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", " + tasks + " tasks]";
    }
}
