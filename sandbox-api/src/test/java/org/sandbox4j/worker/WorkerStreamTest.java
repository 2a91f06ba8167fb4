package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.worker.WorkerException.Kind;

/** The document API: streaming both ways, per-call timeouts, asynchronous calls, cancellation, metadata. */
@Tag("kernel")
class WorkerStreamTest {
    private static final long BIG = 160L << 20; // more than the 64 MiB message cap and 5 × the 32 MiB heap

    private static WorkerPool pool(int size) throws Exception {
        return WorkerPool.builder(build(WorkerTestSupport.spec()), StreamTestHandler.class).size(size)
                .taskTimeout(Duration.ofSeconds(60)).acquireTimeout(Duration.ofSeconds(30)).build();
    }

    private static InputStream doc(String verb, InputStream body) {
        return new SequenceInputStream(new ByteArrayInputStream(utf8(verb + "\n")), body);
    }

    /** {@code n} pseudo-random bytes, generated as they are read (never held). */
    private static InputStream generated(long n) {
        return new InputStream() {
            long left = n;
            long x = 0x9E3779B97F4A7C15L;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                for (int i = 0; i < k; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    b[off + i] = (byte) x;
                }
                left -= k;
                return k;
            }
        };
    }

    /** Digests what is written to it, keeping nothing. */
    private static final class Digesting extends OutputStream {
        final MessageDigest sha;
        long n;

        Digesting() throws Exception {
            sha = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
            n += len;
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aDocumentLargerThanTheHeapAndTheMessageCapStreamsThrough(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool(1)) {
            Digesting out = new Digesting();
            StreamResult r = pool.stream(doc("echo", generated(BIG)), out);
            Digesting expected = new Digesting();
            generated(BIG).transferTo(expected);
            String sha = HexFormat.of().formatHex(expected.sha.digest());
            assertEquals(Long.toString(BIG), r.metadata().get("bytes"));
            assertEquals(sha, r.metadata().get("sha256"), "the worker saw the whole document");
            assertEquals(sha, HexFormat.of().formatHex(out.sha.digest()), "and sent it all back");
            assertEquals(BIG, out.n);
            assertEquals(BIG, r.bytesOut());
            assertTrue(Long.parseLong(r.metadata().get("heap")) < BIG / 4, r.metadata().toString());
            // a handler that stops reading early: the rest is skipped, the worker serves on
            assertEquals(10, pool.stream(doc("head", generated(5L << 20)), new Digesting()).bytesOut());
            assertEquals("ok", str(pool.call(utf8("echo:ok"))).substring(5));
            // control: the same document as one byte[] message is over the cap
            WorkerException big = assertThrows(WorkerException.class, () -> pool.call(new byte[(64 << 20) + 1]));
            assertEquals(Kind.PROTOCOL, big.kind());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void extractReturnsTextAndMetadataAndAHandlerErrorKeepsTheWorker(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool(1)) {
            Extracted e = pool.extract(doc("meta", InputStream.nullInputStream()));
            assertEquals("the text\nof it", e.text());
            assertEquals("a title\nwith a newline and a NUL \0 and é", e.metadata().get("dc:title"));
            assertEquals("", e.metadata().get("empty"));
            WorkerException f = assertThrows(WorkerException.class,
                    () -> pool.extract(doc("fail", new ByteArrayInputStream(new byte[3 << 20]))));
            assertEquals(Kind.HANDLER_ERROR, f.kind(), f.getMessage());
            assertEquals("java.lang.IllegalArgumentException", f.remoteClass().orElseThrow());
            assertEquals("the text\nof it", pool.extract(doc("meta", InputStream.nullInputStream())).text());
            assertEquals(0, pool.stats().replaced(), "the same worker served on");
            // the caller's input failing: an IOException, the worker is replaced, the pool serves on
            InputStream broken = new InputStream() {
                @Override
                public int read() throws java.io.IOException {
                    throw new java.io.IOException("disk gone");
                }
            };
            java.io.IOException io = assertThrows(java.io.IOException.class,
                    () -> pool.stream(doc("echo", broken), new Digesting()));
            assertTrue(io.getMessage().contains("disk gone"), io.toString());
            assertEquals("the text\nof it", pool.extract(doc("meta", InputStream.nullInputStream())).text());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aCallsOwnTimeoutAndCancellationKillOnlyThatTask(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool(2)) {
            long t0 = System.nanoTime();
            WorkerException slow = assertThrows(WorkerException.class,
                    () -> pool.call(utf8("sleep:30000"), Duration.ofMillis(500)));
            assertEquals(Kind.TIMEOUT, slow.kind(), slow.getMessage());
            WorkerException slowStream = assertThrows(WorkerException.class,
                    () -> pool.stream(doc("sleep:30000", InputStream.nullInputStream()), new Digesting(),
                            Duration.ofMillis(500)));
            assertEquals(Kind.TIMEOUT, slowStream.kind(), slowStream.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15));
            // control: the pool's own 60 s timeout lets the same task finish
            assertEquals("slept", str(pool.call(utf8("sleep:200"))));

            CompletableFuture<byte[]> running = pool.callAsync(utf8("sleep:30000"));
            CompletableFuture<byte[]> other = pool.callAsync(utf8("echo:async"));
            assertEquals("echo:async", str(other.get(30, TimeUnit.SECONDS)));
            Thread.sleep(300);
            assertTrue(running.cancel(true));
            assertThrows(CancellationException.class, () -> running.get(1, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (pool.stats().failures().getOrDefault(Kind.CANCELLED, 0L) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1L, pool.stats().failures().get(Kind.CANCELLED), pool.stats().toString());
            CompletableFuture<StreamResult> s = pool.streamAsync(doc("echo", generated(1 << 20)), new Digesting());
            assertEquals(Long.toString(1 << 20), s.get(30, TimeUnit.SECONDS).metadata().get("bytes"));
            CompletableFuture<Extracted> x = pool.extractAsync(doc("fail", InputStream.nullInputStream()));
            ExecutionException ee = assertThrows(ExecutionException.class, () -> x.get(30, TimeUnit.SECONDS));
            assertEquals(Kind.HANDLER_ERROR, ((WorkerException) ee.getCause()).kind());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(40), "cancelled tasks did not run on");
        }
    }
}
