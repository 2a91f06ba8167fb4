package org.sandbox4j.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * The main class of a worker JVM: {@code WorkerMain <handler class> [max request bytes]}.
 * Instantiates the {@link WorkerHandler}, says READY, then answers requests from stdin on stdout
 * until stdin ends. {@code System.out} is pointed at stderr first, so nothing the handler prints
 * can corrupt a reply. An OutOfMemoryError ends the JVM (the pool starts it with
 * {@code -XX:+ExitOnOutOfMemoryError}); any other throwable is reported and the worker goes on.
 */
public final class WorkerMain {
    /** The first argument of a training worker: {@code --cds-dump <archive path> <handler>}. */
    static final String CDS_DUMP = "--cds-dump";

    private WorkerMain() {}

    /**
     * Runs the worker until stdin ends; exits with status 2 on a usage mistake.
     *
     * @param args the handler class name and, optionally, the request size limit in bytes
     * @throws Exception if the handler cannot be created or the request stream is malformed
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WorkerMain <handler class> [max request bytes]");
            System.exit(2);
        }
        String dump = null;
        if (args[0].equals(CDS_DUMP) && args.length > 2) {
            dump = args[1];
            args = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        int max = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(System.err);
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        Object handler = Class.forName(args[0]).getDeclaredConstructor().newInstance();
        if (!(handler instanceof WorkerHandler) && !(handler instanceof StreamingHandler)) {
            throw new IllegalArgumentException(args[0] + " is neither a WorkerHandler nor a StreamingHandler");
        }
        Frames.writeReply(out, Frames.READY, new byte[0]);
        if (dump != null) {
            // a training worker: its handler is constructed, it never sees a request
            dumpAndSend(dump, out);
            System.exit(0);
        }
        Integer magic;
        while ((magic = Frames.readMagic(in)) != null) {
            if (magic == Frames.STREAM_MAGIC) {
                stream(handler, in, out);
                continue;
            }
            if (magic != Frames.REQUEST_MAGIC) {
                throw new java.io.IOException("bad request magic 0x" + Integer.toHexString(magic));
            }
            byte[] request = Frames.readRequestBody(in, max);
            byte[] reply;
            try {
                if (!(handler instanceof WorkerHandler h)) {
                    throw new UnsupportedOperationException(args[0] + " is not a WorkerHandler: stream to it");
                }
                reply = h.handle(request);
            } catch (Exception | StackOverflowError | LinkageError e) {
                Frames.writeReply(out, Frames.ERROR, describe(e));
                continue;
            }
            Frames.writeReply(out, Frames.OK, reply == null ? new byte[0] : reply);
        }
        System.exit(0);
    }

    /**
     * One streamed request: the handler reads the chunks and writes chunk replies; then what it left
     * unread is skipped and the metadata (or the error) ends the reply.
     */
    private static void stream(Object handler, DataInputStream in, DataOutputStream out) throws java.io.IOException {
        StreamFrames.ChunkInput body = new StreamFrames.ChunkInput(in);
        StreamFrames.ChunkOutput result = new StreamFrames.ChunkOutput(out);
        byte status;
        byte[] payload;
        try {
            if (!(handler instanceof StreamingHandler h)) {
                throw new UnsupportedOperationException(handler.getClass().getName() + " is not a StreamingHandler");
            }
            java.util.Map<String, String> md = h.handle(body, result);
            payload = Frames.writeMetadata(md == null ? java.util.Map.of() : md);
            status = Frames.OK;
        } catch (Frames.ProtocolException e) {
            throw e;
        } catch (Exception | StackOverflowError | LinkageError e) {
            payload = describe(e);
            status = Frames.ERROR;
        }
        body.drain();
        result.finish();
        Frames.writeReply(out, status, payload);
    }

    /**
     * A training worker's work (see CdsCache): dumps this JVM's loaded classes to {@code path} with
     * the VM.cds diagnostic command, then sends the archive as chunk replies and an OK.
     */
    private static void dumpAndSend(String path, DataOutputStream out) throws Exception {
        javax.management.MBeanServer s = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        Object r = s.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                new Object[] {new String[] {"dynamic_dump", path}}, new String[] {String[].class.getName()});
        java.nio.file.Path f = java.nio.file.Path.of(path);
        if (!java.nio.file.Files.isRegularFile(f)) {
            throw new java.io.IOException("VM.cds dynamic_dump wrote no archive: " + r);
        }
        StreamFrames.ChunkOutput chunks = new StreamFrames.ChunkOutput(out);
        java.nio.file.Files.copy(f, chunks);
        chunks.finish();
        Frames.writeReply(out, Frames.OK, new byte[0]);
    }

    private static byte[] describe(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String msg = t.getMessage() == null ? "" : t.getMessage().replace('\n', ' ');
        return (t.getClass().getName() + "\n" + msg + "\n" + w).getBytes(StandardCharsets.UTF_8);
    }
}
