package org.sandbox4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One daemon thread that notices when launchers end, for every jail of the JVM: it polls the
 * result pipes (EOF = the launcher exited), reads the result record, and reaps the launcher.
 * A thread per process would cost a thread start on every spawn; this costs one poll wake-up.
 */
public final class Reaper {
    private static final LazyLog LOG = new LazyLog(Reaper.class);

    /** Called on the reaper thread once the launcher has exited and been reaped. */
    public interface Watcher {
        /** The launcher's pid. */
        int pid();

        /**
         * The launcher was reaped.
         *
         * @param waitStatus the raw wait status of the launcher
         * @param result the bytes it wrote on its result pipe (normally one 16-byte record)
         */
        void exited(int waitStatus, byte[] result);

        /** Runs under the watcher's lock, right before the launcher is reaped. */
        Object lock();

        /** Marks the pid as no longer signalable; called under {@link #lock()} before reaping. */
        void markReaped();

        /**
         * Whether {@link #pid()} is a child of the JVM to reap with waitpid. False in the prestarted
         * mode: the jail's pid 1 is the zygote's child, and the result record is all there is.
         */
        default boolean reapable() {
            return true;
        }

        /**
         * Whether the reaper must poll for this end now. False for the prestarted launcher's death
         * pipe while that launcher serves (Spawner notices a dead one at its next request): with
         * nothing else to watch the reaper then waits in Java, not in poll(2), because HotSpot's exit
         * waits up to 300 ms for a thread that is in native code. {@link #wake()} re-asks.
         */
        default boolean awaited() {
            return true;
        }
    }

    private static final Reaper INSTANCE = new Reaper();
    private static final int MAX_RESULT_BYTES = 4 << 20;

    private final LinkedBlockingQueue<Entry> added = new LinkedBlockingQueue<>();
    private final int wakeRead;
    private final int wakeWrite;

    private static final class Entry {
        final int fd;
        final Watcher watcher;
        /** What the launcher wrote: seccomp records (supervise.c) then the result record. */
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64);
        byte[] data = new byte[0];

        Entry(int fd, Watcher watcher) {
            this.fd = fd;
            this.watcher = watcher;
        }
    }

    private Reaper() {
        int[] p = new int[2];
        if (LibC.pipe2(p, LibC.O_CLOEXEC | LibC.O_NONBLOCK) != 0) {
            throw new IllegalStateException("sandbox4j: cannot create the reaper's wake-up pipe: errno "
                    + LibC.errno());
        }
        wakeRead = p[0];
        wakeWrite = p[1];
        Thread t = new Thread(null, this::loop, "sandbox4j-reaper", 256 * 1024);
        t.setDaemon(true);
        t.start();
    }

    /** Watches {@code resultFd} (which the reaper then owns and closes) for the launcher's exit. */
    public static void watch(int resultFd, Watcher watcher) {
        INSTANCE.added.add(new Entry(resultFd, watcher));
        LibC.write(INSTANCE.wakeWrite, new byte[] {1}, 1);
    }

    /** Makes the reaper ask every watcher's {@link Watcher#awaited()} again. */
    public static void wake() {
        INSTANCE.added.add(WAKE);
        LibC.write(INSTANCE.wakeWrite, new byte[] {1}, 1);
    }

    /** Queued by {@link #wake()}: no fd, never watched. */
    private static final Entry WAKE = new Entry(-1, new Watcher() {
        @Override
        public int pid() {
            return -1;
        }

        @Override
        public void exited(int waitStatus, byte[] result) {}

        @Override
        public Object lock() {
            return this;
        }

        @Override
        public void markReaped() {}
    });

    private static boolean anyAwaited(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.watcher.awaited()) {
                return true;
            }
        }
        return false;
    }

    private void loop() {
        List<Entry> entries = new ArrayList<>();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            try {
                while (!anyAwaited(entries)) {
                    // Idle: wait in Java, not in poll(2). HotSpot's exit waits up to 300 ms for threads
                    // that are in native code, so a reaper parked in poll() would delay every exit.
                    Entry e = added.take();
                    if (e != WAKE) {
                        entries.add(e);
                    }
                }
                for (Entry e; (e = added.poll()) != null; ) {
                    if (e != WAKE) {
                        entries.add(e);
                    }
                }
                byte[] pfds = new byte[8 * (entries.size() + 1)];
                ByteBuffer bb = ByteBuffer.wrap(pfds).order(ByteOrder.nativeOrder());
                bb.putInt(wakeRead).putShort((short) LibC.POLLIN).putShort((short) 0);
                for (Entry e : entries) {
                    bb.putInt(e.fd).putShort((short) LibC.POLLIN).putShort((short) 0);
                }
                int rc = LibC.poll(pfds, entries.size() + 1, -1);
                if (rc < 0) {
                    continue; // EINTR
                }
                if (revents(pfds, 0) != 0) {
                    while (LibC.read(wakeRead, buf, buf.length) > 0) {
                        // drain
                    }
                }
                for (int i = entries.size() - 1; i >= 0; i--) {
                    if (revents(pfds, i + 1) == 0) {
                        continue;
                    }
                    Entry e = entries.get(i);
                    long n = LibC.read(e.fd, buf, buf.length);
                    if (n > 0) {
                        // The launcher writes at most ~310 KiB (a learning jail's full table, then
                        // the 16-byte result record); the cap only bounds a broken one.
                        if (e.out.size() < MAX_RESULT_BYTES) {
                            e.out.write(buf, 0, (int) n);
                        }
                        continue;
                    }
                    if (n < 0 && (LibC.errno() == LibC.EINTR || LibC.errno() == LibC.EAGAIN)) {
                        continue;
                    }
                    entries.remove(i);
                    LibC.close(e.fd);
                    e.data = e.out.toByteArray();
                    reap(e);
                }
            } catch (InterruptedException e) {
                // nobody interrupts this thread; keep serving
            } catch (Throwable t) {
                LOG.get().error("sandbox4j reaper: unexpected error, continuing", t);
            }
        }
    }

    private static void reap(Entry e) {
        if (!e.watcher.reapable()) {
            synchronized (e.watcher.lock()) {
                e.watcher.markReaped();
            }
            // No record: the zygote died before the jail ended; the jail died with it (init's
            // pdeathsig) or the watcher kills it through its pidfd (a pid 1 that is the program).
            e.watcher.exited(LibC.SIGKILL, e.data);
            return;
        }
        int[] status = new int[1];
        int rc;
        synchronized (e.watcher.lock()) {
            do {
                rc = LibC.waitpid(e.watcher.pid(), status, 0);
            } while (rc < 0 && LibC.errno() == LibC.EINTR);
            e.watcher.markReaped();
        }
        if (rc < 0) {
            LOG.get().warn("sandbox4j reaper: waitpid({}) failed with errno {}", e.watcher.pid(), LibC.errno());
            status[0] = 0x7f00; // unknown; reported as exit 127 below if no result record
        }
        e.watcher.exited(status[0], e.data);
    }

    private static int revents(byte[] pfds, int i) {
        int off = i * 8 + 6;
        return ByteBuffer.wrap(pfds, off, 2).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
    }
}
