package org.sandbox4j.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.worker.WorkerException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm jailed worker JVMs that run a {@link WorkerHandler}, one task at a time each. Thread-safe:
 * any number of threads may {@link #call(byte[])} at once; when every worker is busy a caller
 * waits up to the acquire timeout, then gets a {@link Kind#REJECTED} failure.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.builder(WorkerSpec.builder().build(), PdfText.class)
 *         .size(4).taskTimeout(Duration.ofSeconds(10)).build()) {
 *     byte[] text = pool.call(pdfBytes);
 * }
 * }</pre>
 *
 * <p>A worker that crashes, runs out of memory, is killed by seccomp, breaks the protocol or
 * overruns the task timeout is killed (its whole jail) and replaced in the background; the caller
 * gets a {@link WorkerException} of the matching kind and the pool keeps serving. With {@link
 * Builder#recycleAfter(int)} a worker is also replaced after that many tasks. {@link #close()}
 * ends every worker and waits until each jail is gone.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final WorkerSpec spec;
    private final String handlerClass;
    private final String name;
    private final int size;
    private final long taskTimeoutMillis;
    private final long acquireTimeoutMillis;
    private final long startTimeoutMillis;
    private final int recycleAfter;
    private final int maxRequest;
    private final int maxReply;
    private final long maxStreamOutput;
    private final ExecutorService async;
    private final LinkedBlockingQueue<Worker> idle = new LinkedBlockingQueue<>();
    private final Set<Worker> all = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final ExecutorService starter;
    private final AtomicInteger serial = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final Map<Kind, AtomicLong> failures = new EnumMap<>(Kind.class);
    private volatile boolean closed;

    private WorkerPool(Builder b) {
        this.spec = b.spec;
        this.handlerClass = b.handlerClass;
        this.name = "sandbox4j-pool-" + POOLS.incrementAndGet();
        this.size = b.size;
        this.taskTimeoutMillis = b.taskTimeout.toMillis();
        this.acquireTimeoutMillis = b.acquireTimeout.toMillis();
        this.startTimeoutMillis = b.startTimeout.toMillis();
        this.recycleAfter = b.recycleAfter;
        this.maxRequest = b.maxRequest;
        this.maxReply = b.maxReply;
        this.maxStreamOutput = b.maxStreamOutput;
        this.async = Executors.newCachedThreadPool(r -> daemon(r, name + "-async"));
        for (Kind k : Kind.values()) {
            failures.put(k, new AtomicLong());
        }
        java.util.concurrent.ScheduledThreadPoolExecutor t =
                new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> daemon(r, name + "-timer"));
        t.setRemoveOnCancelPolicy(true); // one cancelled timeout per task: do not let them pile up
        this.timer = t;
        this.starter = Executors.newCachedThreadPool(r -> daemon(r, name + "-starter"));
    }

    private static Thread daemon(Runnable r, String n) {
        Thread t = new Thread(r, n);
        t.setDaemon(true);
        return t;
    }

    /**
     * A builder for a pool whose workers run {@code handler} (a class on the spec's class path): a
     * {@link WorkerHandler}, a {@link StreamingHandler}, or both.
     *
     * @param spec the jail and JVM every worker runs in
     * @param handler the handler class, instantiated in each worker by its no-argument constructor
     * @return a builder with the defaults of {@link Builder}
     * @throws IllegalArgumentException when the class implements neither
     */
    public static Builder builder(WorkerSpec spec, Class<?> handler) {
        if (!WorkerHandler.class.isAssignableFrom(handler) && !StreamingHandler.class.isAssignableFrom(handler)) {
            throw new IllegalArgumentException(handler.getName() + " implements neither WorkerHandler nor StreamingHandler");
        }
        return new Builder(spec, handler.getName());
    }

    /**
     * Like {@link #builder(WorkerSpec, Class)}, by class name (the class need not be loaded here).
     *
     * @param spec the jail and JVM every worker runs in
     * @param handlerClassName the handler's binary class name
     * @return a builder with the defaults of {@link Builder}
     */
    public static Builder builder(WorkerSpec spec, String handlerClassName) {
        return new Builder(spec, handlerClassName);
    }

    /** Starts all workers; fails if any cannot start (and leaves none running). */
    private WorkerPool start() throws WorkerException, InterruptedException {
        List<Future<Worker>> fs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            fs.add(starter.submit(this::newWorker));
        }
        WorkerException first = null;
        for (Future<Worker> f : fs) {
            try {
                idle.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof WorkerException we ? we
                            : WorkerException.simple(Kind.START_FAILED, String.valueOf(e.getCause()));
                }
            }
        }
        if (first != null) {
            close();
            throw first;
        }
        return this;
    }

    private Worker newWorker() throws WorkerException {
        Worker w = Worker.start(name + "-w" + serial.incrementAndGet(), spec, handlerClass, maxRequest, maxReply,
                startTimeoutMillis, timer);
        all.add(w);
        if (closed) { // close() ran while this one started
            all.remove(w);
            w.kill();
            w.shutdown(0);
            throw WorkerException.simple(Kind.CLOSED, "the pool is closed");
        }
        return w;
    }

    /**
     * Runs one task on a free worker and returns its reply.
     *
     * @param request the bytes the handler receives
     * @return the handler's reply
     * @throws WorkerException when the task failed; {@link WorkerException#kind()} says how
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public byte[] call(byte[] request) throws WorkerException, InterruptedException {
        return call(request, Duration.ofMillis(taskTimeoutMillis));
    }

    /**
     * Like {@link #call(byte[])} with this task's own timeout instead of the pool's.
     *
     * @param request the bytes the handler receives
     * @param timeout how long the task may run before its worker is killed ({@link Kind#TIMEOUT})
     * @return the handler's reply
     * @throws WorkerException when the task failed; {@link WorkerException#kind()} says how
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public byte[] call(byte[] request, Duration timeout) throws WorkerException, InterruptedException {
        return callFor(request, timeout.toMillis(), null);
    }

    private byte[] callFor(byte[] request, long timeoutMillis, @Nullable TaskFuture<?> f)
            throws WorkerException, InterruptedException {
        if (request.length > maxRequest) {
            throw WorkerException.simple(Kind.PROTOCOL, "request of " + request.length + " bytes exceeds the limit of "
                    + maxRequest);
        }
        try {
            return run(w -> w.call(request, timeoutMillis, timer), f);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // a byte[] call does no I/O of the caller's
        }
    }

    /**
     * Streams one document through a {@link StreamingHandler}: {@code in} is read and sent in chunks
     * while the handler's output is written to {@code out} as it arrives; neither JVM holds the whole
     * document (a request of any size; the output is limited by {@link Builder#maxStreamOutput}).
     * Uses the pool's task timeout.
     *
     * @param in the document; read to its end, not closed
     * @param out receives the handler's output as it arrives; not closed
     * @return the handler's metadata and the byte counts
     * @throws WorkerException when the task failed; output written before a failure stays written
     * @throws java.io.IOException when reading {@code in} or writing {@code out} failed (the worker is replaced)
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public StreamResult stream(java.io.InputStream in, java.io.OutputStream out)
            throws WorkerException, java.io.IOException, InterruptedException {
        return stream(in, out, Duration.ofMillis(taskTimeoutMillis));
    }

    /**
     * Like {@link #stream(java.io.InputStream, java.io.OutputStream)} with this task's own timeout.
     *
     * @param in the document; read to its end, not closed
     * @param out receives the handler's output; not closed
     * @param timeout how long the task may run before its worker is killed ({@link Kind#TIMEOUT})
     * @return the handler's metadata and the byte counts
     * @throws WorkerException when the task failed; output written before a failure stays written
     * @throws java.io.IOException when reading {@code in} or writing {@code out} failed
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public StreamResult stream(java.io.InputStream in, java.io.OutputStream out, Duration timeout)
            throws WorkerException, java.io.IOException, InterruptedException {
        return streamFor(in, out, timeout.toMillis(), null);
    }

    private StreamResult streamFor(java.io.InputStream in, java.io.OutputStream out, long timeoutMillis,
            @Nullable TaskFuture<?> f) throws WorkerException, java.io.IOException, InterruptedException {
        return run(w -> w.stream(in, out, maxStreamOutput, timeoutMillis, timer, starter), f);
    }

    /**
     * A document's text and metadata from a {@link StreamingHandler}: the input streamed, the text
     * collected (at most the pool's reply limit, {@link Builder#maxMessage}). The structured result a
     * document service returns; for larger output {@link #stream} it.
     *
     * @param in the document; read to its end, not closed
     * @return the text, decoded as UTF-8, and the handler's metadata
     * @throws WorkerException when the task failed; {@link WorkerException#kind()} says how
     * @throws java.io.IOException when reading {@code in} failed (the worker is replaced)
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public Extracted extract(java.io.InputStream in) throws WorkerException, java.io.IOException, InterruptedException {
        return extract(in, Duration.ofMillis(taskTimeoutMillis));
    }

    /**
     * Like {@link #extract(java.io.InputStream)} with this task's own timeout.
     *
     * @param in the document; read to its end, not closed
     * @param timeout how long the task may run before its worker is killed ({@link Kind#TIMEOUT})
     * @return the text, decoded as UTF-8, and the handler's metadata
     * @throws WorkerException when the task failed; {@link WorkerException#kind()} says how
     * @throws java.io.IOException when reading {@code in} failed (the worker is replaced)
     * @throws InterruptedException when interrupted while waiting for a free worker
     */
    public Extracted extract(java.io.InputStream in, Duration timeout)
            throws WorkerException, java.io.IOException, InterruptedException {
        return extractFor(in, timeout.toMillis(), null);
    }

    private Extracted extractFor(java.io.InputStream in, long timeoutMillis, @Nullable TaskFuture<?> f)
            throws WorkerException, java.io.IOException, InterruptedException {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        StreamResult r = run(w -> w.stream(in, text, maxReply, timeoutMillis, timer, starter), f);
        return new Extracted(text.toString(java.nio.charset.StandardCharsets.UTF_8), r.metadata());
    }

    /**
     * {@link #call(byte[])} without blocking: the task waits for a worker and runs on a pool thread.
     * {@code cancel(true)} or {@code cancel(false)} on the future stops the task: a waiting task never
     * runs, a running one has its worker killed (and replaced). The future then fails with {@link
     * java.util.concurrent.CancellationException}; any other failure is a {@link WorkerException} as
     * its cause.
     *
     * @param request the bytes the handler receives
     * @return the reply, when the task has run
     */
    public CompletableFuture<byte[]> callAsync(byte[] request) {
        return submit(f -> callFor(request, taskTimeoutMillis, f));
    }

    /**
     * {@link #stream(java.io.InputStream, java.io.OutputStream)} without blocking; cancellable as {@link #callAsync}.
     *
     * @param in the document; read to its end on a pool thread, not closed
     * @param out receives the handler's output; not closed
     * @return the handler's metadata and the byte counts, when the task has run
     */
    public CompletableFuture<StreamResult> streamAsync(java.io.InputStream in, java.io.OutputStream out) {
        return submit(f -> streamFor(in, out, taskTimeoutMillis, f));
    }

    /**
     * {@link #extract(java.io.InputStream)} without blocking; cancellable as {@link #callAsync}.
     *
     * @param in the document; read to its end on a pool thread, not closed
     * @return the text and metadata, when the task has run
     */
    public CompletableFuture<Extracted> extractAsync(java.io.InputStream in) {
        return submit(f -> extractFor(in, taskTimeoutMillis, f));
    }

    /** A task of the pool: runs on one worker. */
    @FunctionalInterface
    private interface WorkerTask<T> {
        T run(Worker w) throws WorkerException, java.io.IOException;
    }

    /** Runs a task on a free worker; keeps the worker unless it failed (a handler error keeps it). */
    private <T> T run(WorkerTask<T> task, @Nullable TaskFuture<?> f)
            throws WorkerException, java.io.IOException, InterruptedException {
        Worker w = acquire();
        boolean healthy = false;
        try {
            if (f != null) {
                f.attach(w);
            }
            T reply = task.run(w);
            healthy = true;
            completed.incrementAndGet();
            return reply;
        } catch (WorkerException e) {
            failures.get(e.kind()).incrementAndGet();
            healthy = e.kind() == Kind.HANDLER_ERROR;
            if (!healthy && e.kind() != Kind.CANCELLED) {
                LOG.warn("{}: {}", name, e.getMessage());
            }
            throw e;
        } finally {
            if (f != null) {
                f.detach();
            }
            release(w, healthy);
        }
    }

    /** The body of an asynchronous task, given its future (to attach the worker it runs on). */
    @FunctionalInterface
    private interface AsyncTask<T> {
        T run(TaskFuture<T> f) throws Exception;
    }

    private <T> CompletableFuture<T> submit(AsyncTask<T> task) {
        TaskFuture<T> f = new TaskFuture<>();
        if (closed) {
            f.completeExceptionally(WorkerException.simple(Kind.CLOSED, "the pool is closed"));
            return f;
        }
        try {
            async.execute(() -> {
                if (f.isDone()) {
                    return; // cancelled while it waited
                }
                try {
                    f.complete(task.run(f));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(WorkerException.simple(Kind.CLOSED, "the pool is closed"));
        }
        return f;
    }

    /** A task's future; cancelling it kills the worker running the task. */
    private static final class TaskFuture<T> extends CompletableFuture<T> {
        private @Nullable Worker running;

        synchronized void attach(Worker w) {
            running = w;
            if (isCancelled()) {
                w.cancel();
            }
        }

        synchronized void detach() {
            running = null;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            synchronized (this) {
                if (running != null) {
                    running.cancel();
                }
            }
            return done;
        }
    }

    private Worker acquire() throws WorkerException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(acquireTimeoutMillis);
        while (true) {
            if (closed) {
                failures.get(Kind.CLOSED).incrementAndGet();
                throw WorkerException.simple(Kind.CLOSED, "the pool is closed");
            }
            Worker w = idle.poll();
            if (w != null) {
                return w;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                failures.get(Kind.REJECTED).incrementAndGet();
                throw WorkerException.simple(Kind.REJECTED, "all " + size + " workers stayed busy for "
                        + acquireTimeoutMillis + " ms");
            }
            w = idle.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            if (w != null) {
                return w;
            }
        }
    }

    private void release(Worker w, boolean healthy) {
        if (closed) {
            w.shutdown(0);
            all.remove(w);
            return;
        }
        if (healthy && (recycleAfter <= 0 || w.tasks() < recycleAfter)) {
            idle.add(w);
            return;
        }
        replaced.incrementAndGet();
        if (healthy) {
            // recycled: let it finish by itself; close() ends it if this task never runs
            starter.execute(() -> {
                w.shutdown(1000);
                all.remove(w);
            });
        } else {
            all.remove(w); // failure() already killed and reaped it
        }
        starter.execute(this::replace);
    }

    /** Starts a replacement, retrying with a growing pause while the pool is open. */
    private void replace() {
        long pause = 100;
        int attempts = 0;
        while (!closed) {
            try {
                Worker w = newWorker();
                idle.add(w);
                if (closed) { // close() may have drained the queue before this add
                    idle.remove(w);
                    all.remove(w);
                    w.shutdown(0);
                }
                return;
            } catch (WorkerException e) {
                if (closed) {
                    return;
                }
                logStartFailure(++attempts, pause, e);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    return;
                }
                pause = Math.min(pause * 2, 10_000);
            }
        }
    }

    /**
     * A replacement that cannot start is retried until the pool closes: the first failure is an
     * ERROR with its reason and stderr, the next ones a WARN at the 10th, 100th, ... attempt (and
     * DEBUG otherwise), so a broken host does not fill the log with one ERROR a few seconds.
     */
    private void logStartFailure(int attempt, long pause, WorkerException e) {
        if (attempt == 1) {
            LOG.error("{}: cannot start a replacement worker, retrying every {} ms or more until it starts or the pool"
                    + " closes: {}", name, pause, e.getMessage());
        } else if (Long.toString(attempt).matches("10*")) {
            LOG.warn("{}: still cannot start a replacement worker after {} attempts: {}", name, attempt,
                    e.getMessage().lines().findFirst().orElse(""));
        } else {
            LOG.debug("{}: attempt {} to start a replacement worker failed: {}", name, attempt, e.getMessage());
        }
    }

    /**
     * What the pool has done so far.
     *
     * @return a snapshot of the counts
     */
    public Stats stats() {
        Map<Kind, Long> f = new EnumMap<>(Kind.class);
        failures.forEach((k, v) -> {
            if (v.get() > 0) {
                f.put(k, v.get());
            }
        });
        return new Stats(size, idle.size(), all.size(), completed.get(), replaced.get(), f);
    }

    /**
     * Counts of a pool's work.
     *
     * @param size the configured number of workers
     * @param idle workers waiting for a task now
     * @param alive workers running now (idle, busy, or retiring)
     * @param completed tasks that returned a reply
     * @param replaced workers killed or recycled and replaced
     * @param failures failed tasks by kind
     */
    public record Stats(int size, int idle, int alive, long completed, long replaced, Map<Kind, Long> failures) {}

    /**
     * Launcher pids of the live workers (for monitoring, e.g. their RSS via /proc).
     *
     * @return the pids, in no order
     */
    public List<Long> workerPids() {
        return all.stream().map(Worker::pid).toList();
    }

    /**
     * Ends every worker (idle ones by closing their stdin, busy ones by SIGKILL after a short grace)
     * and waits until each jail is gone. Callers waiting for a worker get {@link Kind#CLOSED}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        starter.shutdownNow();
        async.shutdown(); // tasks already running fail with CLOSED or finish
        List<Worker> ws = new ArrayList<>(all);
        List<Thread> stoppers = new ArrayList<>();
        for (Worker w : ws) {
            Thread t = daemon(() -> w.shutdown(idle.remove(w) ? 2000 : 200), name + "-stop");
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        all.clear();
        idle.clear();
        try {
            starter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a replacement that was starting is ended by newWorker()/replace() when they see closed
        timer.shutdownNow();
    }

    /** Builds a {@link WorkerPool}. */
    public static final class Builder {
        private final WorkerSpec spec;
        private final String handlerClass;
        private int size = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Duration taskTimeout = Duration.ofSeconds(30);
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration startTimeout = Duration.ofSeconds(30);
        private int recycleAfter;
        private int maxRequest = 64 << 20;
        private int maxReply = 64 << 20;
        private long maxStreamOutput = 1L << 30;

        private Builder(WorkerSpec spec, String handlerClass) {
            this.spec = spec;
            this.handlerClass = handlerClass;
        }

        /**
         * The number of workers (default: the number of CPUs).
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder size(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("size must be at least 1: " + n);
            }
            this.size = n;
            return this;
        }

        /**
         * How long one task may run before its worker is killed (default 30 s).
         *
         * @param d the task timeout
         * @return this builder
         */
        public Builder taskTimeout(Duration d) {
            this.taskTimeout = d;
            return this;
        }

        /**
         * How long a caller waits for a free worker before {@link Kind#REJECTED} (default 30 s).
         *
         * @param d the acquire timeout
         * @return this builder
         */
        public Builder acquireTimeout(Duration d) {
            this.acquireTimeout = d;
            return this;
        }

        /**
         * How long a worker may take to start and construct its handler (default 30 s).
         *
         * @param d the start timeout
         * @return this builder
         */
        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        /**
         * Replaces each worker after this many tasks (default 0: never), to bound leaks in the handler.
         *
         * @param tasks tasks per worker, 0 for no limit
         * @return this builder
         */
        public Builder recycleAfter(int tasks) {
            this.recycleAfter = tasks;
            return this;
        }

        /**
         * The largest request and reply, in bytes (default 64 MiB each).
         *
         * @param requestBytes the largest request
         * @param replyBytes the largest reply
         * @return this builder
         */
        public Builder maxMessage(int requestBytes, int replyBytes) {
            this.maxRequest = requestBytes;
            this.maxReply = replyBytes;
            return this;
        }

        /**
         * The most output one {@link WorkerPool#stream} may deliver (default 1 GiB); more is a PROTOCOL failure.
         *
         * @param bytes the limit, 0 or more
         * @return this builder
         */
        public Builder maxStreamOutput(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxStreamOutput must not be negative: " + bytes);
            }
            this.maxStreamOutput = bytes;
            return this;
        }

        /**
         * Starts the workers and waits until each is ready.
         *
         * @return the running pool; {@link WorkerPool#close()} ends it
         * @throws WorkerException of kind {@link Kind#START_FAILED} when a worker cannot start; no
         *     worker is left running then
         * @throws InterruptedException when interrupted while the workers start
         */
        public WorkerPool build() throws WorkerException, InterruptedException {
            return new WorkerPool(this).start();
        }
    }
}
