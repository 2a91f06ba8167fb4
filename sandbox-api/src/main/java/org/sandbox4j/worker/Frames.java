package org.sandbox4j.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The worker protocol on the worker's stdin and stdout. A request is {@code magic, length,
 * bytes}; a reply is {@code magic, status, length, bytes}; all integers big-endian. The magic
 * numbers catch anything else that writes to stdout (a native library, say): the pool then kills
 * the worker instead of misreading it.
 */
final class Frames {
    static final int REQUEST_MAGIC = 0x53344a51; // "S4JQ"
    static final int REPLY_MAGIC = 0x53344a52; // "S4JR"

    /** The worker is up and its handler constructed; sent once, before any reply. */
    static final byte READY = 0;
    /** The handler returned normally; the bytes are its reply. */
    static final byte OK = 1;
    /** The handler threw; the bytes are "class\nmessage\nstack trace" in UTF-8. */
    static final byte ERROR = 2;

    private Frames() {}

    static void writeRequest(DataOutputStream out, byte[] request) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeInt(request.length);
        out.write(request);
        out.flush();
    }

    /** The next request, or null at a clean end of input (the pool closed stdin). */
    static byte @org.jspecify.annotations.Nullable [] readRequest(DataInputStream in, int max) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (magic != REQUEST_MAGIC) {
            throw new IOException("bad request magic 0x" + Integer.toHexString(magic));
        }
        return body(in, max);
    }

    static void writeReply(DataOutputStream out, byte status, byte[] payload) throws IOException {
        out.writeInt(REPLY_MAGIC);
        out.writeByte(status);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /** A reply: its status and bytes. */
    record Reply(byte status, byte[] payload) {}

    static Reply readReply(DataInputStream in, int max) throws IOException {
        int magic = in.readInt();
        if (magic != REPLY_MAGIC) {
            throw new ProtocolException("the worker wrote something that is not a reply (0x"
                    + Integer.toHexString(magic) + "); did native code write to stdout?");
        }
        byte status = in.readByte();
        return new Reply(status, body(in, max));
    }

    private static byte[] body(DataInputStream in, int max) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > max) {
            throw new ProtocolException("frame of " + Integer.toUnsignedString(len) + " bytes, more than the limit of " + max);
        }
        // Read as the bytes arrive rather than allocating len up front: a peer that announces the
        // limit and sends nothing costs nothing.
        byte[] b = in.readNBytes(len);
        if (b.length < len) {
            throw new EOFException("frame of " + len + " bytes ended after " + b.length);
        }
        return b;
    }

    /** The peer broke the protocol (as opposed to the pipe breaking). */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
