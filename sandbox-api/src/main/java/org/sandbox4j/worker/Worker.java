package org.sandbox4j.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import org.slf4j.event.Level;

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
    /** Lines written before READY, logged once the worker is up (guarded by {@code tail}). */
    private final List<Line> held = new ArrayList<>();
    /** The first ERROR line and the lines continuing it (guarded by {@code tail}). */
    private final List<String> firstError = new ArrayList<>();
    private boolean firstErrorOpen;
    private long firstErrorLine;
    private long seen;
    private boolean ready;
    private final int maxReply;
    private volatile boolean timedOut;
    private volatile boolean cancelled;
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
            WorkerSpec.Launch l = spec.launch(handlerClass, List.of(handlerClass, Integer.toString(maxRequest)));
            p = l.jail().start(l.command());
        } catch (IOException | IllegalArgumentException e) {
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
            // START_FAILED once, then how it failed (CRASH, TIMEOUT, ...) in words, the tail once
            throw new WorkerException(WorkerException.Kind.START_FAILED, name + " did not start ("
                    + f.kind().name().toLowerCase(java.util.Locale.ROOT) + "): " + f.reason(),
                    f.jailExit().orElse(null), f.syscall().orElse(null), null, f.stderrTail(), e);
        } finally {
            kill.cancel(false);
        }
        w.started();
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
            throw handlerError(r.payload());
        }
        kill();
        throw failure(new Frames.ProtocolException("unknown reply status " + r.status()));
    }

    /**
     * Streams one document: {@code src} goes to the worker in chunks (from {@code pump}'s thread, so
     * the worker's output is read while its input is still being sent: neither side can fill a pipe
     * and wait for the other), the output chunks go to {@code dst} as they arrive. At most {@code
     * maxOut} bytes of output are taken.
     *
     * @throws IOException when reading {@code src} or writing {@code dst} failed; the worker is dead then
     */
    StreamResult stream(java.io.InputStream src, java.io.OutputStream dst, long maxOut, long timeoutMillis,
            ScheduledExecutorService timer, java.util.concurrent.Executor pump) throws WorkerException, IOException {
        tasks++;
        ScheduledFuture<?> kill = timeoutMillis > 0 ? timer.schedule(this::timeOut, timeoutMillis, TimeUnit.MILLISECONDS)
                : null;
        java.util.concurrent.CompletableFuture<Long> sent = new java.util.concurrent.CompletableFuture<>();
        IOException[] callerSide = new IOException[1];
        long outBytes = 0;
        try {
            in.writeInt(Frames.STREAM_MAGIC);
            pump.execute(() -> sendInput(src, sent));
            while (true) {
                Frames.Reply r = Frames.readReply(out, Math.max(Frames.CHUNK, maxReply));
                if (r.status() == Frames.CHUNK_OUT) {
                    if (r.payload().length > Frames.CHUNK) {
                        throw new Frames.ProtocolException("an output chunk of " + r.payload().length + " bytes");
                    }
                    outBytes += r.payload().length;
                    if (outBytes > maxOut) {
                        throw new Frames.ProtocolException("the output exceeds the limit of " + maxOut + " bytes");
                    }
                    try {
                        dst.write(r.payload());
                    } catch (IOException e) {
                        callerSide[0] = e;
                        throw e;
                    }
                    continue;
                }
                long inBytes = awaitSent(sent);
                if (r.status() == Frames.OK) {
                    return new StreamResult(Frames.readMetadata(r.payload()), inBytes, outBytes);
                }
                if (r.status() == Frames.ERROR) {
                    throw handlerError(r.payload());
                }
                throw new Frames.ProtocolException("unknown reply status " + r.status());
            }
        } catch (IOException e) {
            IOException input = sent.isCompletedExceptionally() ? inputFailure(sent) : null;
            WorkerException f = failure(e);
            if (callerSide[0] != null || input != null) {
                throw callerSide[0] != null ? callerSide[0] : input;
            }
            throw f;
        } finally {
            if (kill != null) {
                kill.cancel(false);
            }
        }
    }

    /** The input pump: chunks of {@code src}, then the empty chunk. A failure of {@code src} kills the worker. */
    private void sendInput(java.io.InputStream src, java.util.concurrent.CompletableFuture<Long> sent) {
        byte[] buf = new byte[Frames.CHUNK];
        long total = 0;
        try {
            while (true) {
                int n;
                try {
                    n = src.read(buf, 0, buf.length);
                } catch (IOException e) {
                    sent.completeExceptionally(e);
                    kill();
                    return;
                }
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    Frames.writeChunk(in, buf, 0, n);
                    total += n;
                }
            }
            Frames.writeChunk(in, buf, 0, 0);
            in.flush();
            sent.complete(total);
        } catch (IOException e) {
            // the worker's stdin broke: the reading side reports how the worker ended
            sent.complete(total);
        }
    }

    private static long awaitSent(java.util.concurrent.CompletableFuture<Long> sent) throws IOException {
        try {
            return sent.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("reading the input failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
            throw new Frames.ProtocolException("the worker replied before it had read its input");
        }
    }

    private static IOException inputFailure(java.util.concurrent.CompletableFuture<Long> sent) {
        try {
            sent.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** The worker's ERROR reply as a typed exception: class and message cut to a sane size. */
    private WorkerException handlerError(byte[] payload) {
        // The worker writes this text: an exception message of many MiB would otherwise be copied
        // into every log line and message that mentions the failure.
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", 3);
        String cls = cut(parts[0], 256);
        String msg = parts.length > 1 ? cut(parts[1], MAX_LINE) : "";
        return new WorkerException(WorkerException.Kind.HANDLER_ERROR, name + ": the handler threw " + cls
                + (msg.isEmpty() ? "" : ": " + msg), null, null, cls, "", null);
    }

    /** Kills the worker because the caller cancelled its task; the task then fails with CANCELLED. */
    void cancel() {
        cancelled = true;
        process.destroyForcibly();
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
        if (cancelled) {
            kind = WorkerException.Kind.CANCELLED;
            msg = name + " was killed: the task was cancelled";
        } else if (timedOut) {
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
        // The launcher's supervisor names the call (no root, no kernel log needed); the kernel log
        // is the fallback for a filter that was not supervised.
        String syscall = kind != WorkerException.Kind.SECCOMP ? null
                : exit != null && exit.killedBy() != null ? exit.killedBy().describe()
                : SeccompLog.lastKilledSyscall(jailPids);
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
     *
     * <p>Each line is logged at the level it names ({@link StderrLevel}: a WARN stays a WARN). Lines
     * written before READY are held until then: a worker that fails to start reports them once, in
     * its {@link WorkerException}, instead of in the log and again in the exception. The first error
     * (an ERROR line and the stack trace below it) is kept beside the tail, so a failure's report
     * still shows its cause when unrelated warnings followed it.
     */
    private void pumpStderr() {
        LogBudget budget = new LogBudget(LOG_LINES_PER_SECOND);
        StderrLevel levels = new StderrLevel();
        try (java.io.InputStream err = process.getErrorStream()) {
            BoundedLines r = new BoundedLines(err, MAX_LINE);
            String line;
            while ((line = r.readLine()) != null) {
                Level level = levels.of(line);
                synchronized (tail) {
                    keep(line, level);
                    if (!ready) {
                        if (held.size() < TAIL_LINES) {
                            held.add(new Line(level, line));
                            continue;
                        }
                    }
                }
                log(budget, level, line);
            }
        } catch (IOException e) {
            // the pipe closes when the jail ends
        }
        reportRefused(budget, true);
    }

    /** A stderr line and its level. */
    private record Line(Level level, String text) {}

    private void log(LogBudget budget, Level level, String line) {
        boolean log = budget.admit(System.nanoTime());
        reportRefused(budget, false);
        if (log) {
            switch (level) {
                case ERROR -> LOG.error("[{}] {}", name, line);
                case WARN -> LOG.warn("[{}] {}", name, line);
                case DEBUG -> LOG.debug("[{}] {}", name, line);
                case TRACE -> LOG.trace("[{}] {}", name, line);
                default -> LOG.info("[{}] {}", name, line);
            }
        }
    }

    /** The worker said READY: the lines held until now go to the log. */
    private void started() {
        List<Line> lines;
        synchronized (tail) {
            ready = true;
            lines = new ArrayList<>(held);
            held.clear();
        }
        LogBudget budget = new LogBudget(LOG_LINES_PER_SECOND);
        for (Line l : lines) {
            log(budget, l.level(), l.text());
        }
    }

    /** Adds a line to the tail and, while the first error is being written, to the first error. */
    private void keep(String line, Level level) {
        seen++;
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(line);
        if (level == Level.ERROR && firstError.size() < TAIL_LINES && (firstErrorOpen || firstError.isEmpty())) {
            if (firstError.isEmpty()) {
                firstErrorLine = seen;
            }
            firstError.add(line);
            firstErrorOpen = true;
        } else {
            firstErrorOpen = false;
        }
    }

    private void reportRefused(LogBudget budget, boolean all) {
        long n = budget.takeRefused(all);
        if (n > 0) {
            LOG.warn("[{}] {} lines of stderr not logged (more than {} a second)", name, n, budget.perSecond());
        }
    }

    /** The first error's lines that are older than the tail, then the tail. */
    private String tail() {
        synchronized (tail) {
            StringBuilder sb = new StringBuilder();
            long tailStart = seen - tail.size() + 1;
            if (!firstError.isEmpty() && firstErrorLine < tailStart) {
                long shown = Math.min(firstError.size(), tailStart - firstErrorLine);
                for (int i = 0; i < shown; i++) {
                    sb.append("    ").append(firstError.get(i)).append('\n');
                }
                if (firstErrorLine + shown < tailStart) {
                    sb.append("    [... ").append(tailStart - firstErrorLine - shown).append(" lines ...]\n");
                }
            }
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
