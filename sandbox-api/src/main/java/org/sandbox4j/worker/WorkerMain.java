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
    private WorkerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WorkerMain <handler class> [max request bytes]");
            System.exit(2);
        }
        int max = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(System.err);
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        WorkerHandler handler = (WorkerHandler) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        Frames.writeReply(out, Frames.READY, new byte[0]);
        byte[] request;
        while ((request = Frames.readRequest(in, max)) != null) {
            byte[] reply;
            try {
                reply = handler.handle(request);
            } catch (Exception | StackOverflowError | LinkageError e) {
                Frames.writeReply(out, Frames.ERROR, describe(e));
                continue;
            }
            Frames.writeReply(out, Frames.OK, reply == null ? new byte[0] : reply);
        }
        System.exit(0);
    }

    private static byte[] describe(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String msg = t.getMessage() == null ? "" : t.getMessage().replace('\n', ' ');
        return (t.getClass().getName() + "\n" + msg + "\n" + w).getBytes(StandardCharsets.UTF_8);
    }
}
