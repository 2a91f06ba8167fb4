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
    /**
     * A streamed request: this magic, then chunks of {@code length, bytes} (at most {@link #CHUNK}
     * bytes each), ended by a chunk of length 0. The worker answers with {@link #CHUNK_OUT} replies,
     * then one {@link #OK} reply carrying the metadata ({@link #writeMetadata}) or an {@link #ERROR}.
     */
    static final int STREAM_MAGIC = 0x53344a53; // "S4JS"
    /** The largest chunk of a streamed request or reply. */
    static final int CHUNK = 1 << 16;

    /** The worker is up and its handler constructed; sent once, before any reply. */
    static final byte READY = 0;
    /** The handler returned normally; the bytes are its reply. */
    static final byte OK = 1;
    /** The handler threw; the bytes are "class\nmessage\nstack trace" in UTF-8. */
    static final byte ERROR = 2;
    /** A chunk of a streamed reply's output (at most {@link #CHUNK} bytes). */
    static final byte CHUNK_OUT = 3;

    private Frames() {}

    static void writeRequest(DataOutputStream out, byte[] request) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeInt(request.length);
        out.write(request);
        out.flush();
    }

    /** The next request, or null at a clean end of input (the pool closed stdin). */
    static byte @org.jspecify.annotations.Nullable [] readRequest(DataInputStream in, int max) throws IOException {
        Integer magic = readMagic(in);
        if (magic == null) {
            return null;
        }
        if (magic != REQUEST_MAGIC) {
            throw new IOException("bad request magic 0x" + Integer.toHexString(magic));
        }
        return body(in, max);
    }

    /** The next request's magic, or null at a clean end of input. */
    static @org.jspecify.annotations.Nullable Integer readMagic(DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            return null;
        }
    }

    /** The body of a plain request whose magic was read. */
    static byte[] readRequestBody(DataInputStream in, int max) throws IOException {
        return body(in, max);
    }

    /** One chunk of a streamed request; an empty chunk ends it. */
    static void writeChunk(DataOutputStream out, byte[] b, int off, int len) throws IOException {
        out.writeInt(len);
        out.write(b, off, len);
    }

    /**
     * Metadata as {@code count, (key length, key, value length, value)*} in UTF-8: any text, a
     * newline or NUL included, survives.
     */
    static byte[] writeMetadata(java.util.Map<String, String> m) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(m.size());
        for (java.util.Map.Entry<String, String> e : m.entrySet()) {
            for (String s : new String[] {e.getKey(), e.getValue() == null ? "" : e.getValue()}) {
                byte[] u = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                d.writeInt(u.length);
                d.write(u);
            }
        }
        return b.toByteArray();
    }

    /** Reads {@link #writeMetadata}'s bytes; a length past the end is a protocol error. */
    static java.util.Map<String, String> readMetadata(byte[] payload) throws ProtocolException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload);
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        try {
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                String k = text(b);
                m.put(k, text(b));
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolException("malformed metadata in the worker's reply");
        }
        return m;
    }

    private static String text(java.nio.ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("length " + len);
        }
        byte[] u = new byte[len];
        b.get(u);
        return new String(u, java.nio.charset.StandardCharsets.UTF_8);
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
