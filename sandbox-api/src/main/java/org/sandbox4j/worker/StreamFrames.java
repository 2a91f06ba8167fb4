package org.sandbox4j.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The two streams a {@link StreamingHandler} sees inside the worker: the request's chunks as one
 * {@link InputStream}, and an {@link OutputStream} that sends {@link Frames#CHUNK_OUT} replies of at
 * most {@link Frames#CHUNK} bytes. Neither holds more than one chunk.
 */
final class StreamFrames {
    private StreamFrames() {}

    /** The request's chunks, up to the empty one that ends them. */
    static final class ChunkInput extends InputStream {
        private final DataInputStream in;
        private int left;
        private boolean done;

        ChunkInput(DataInputStream in) {
            this.in = in;
        }

        private boolean fill() throws IOException {
            while (left == 0 && !done) {
                int len = in.readInt();
                if (len < 0 || len > Frames.CHUNK) {
                    throw new Frames.ProtocolException("chunk of " + Integer.toUnsignedString(len) + " bytes");
                }
                left = len;
                done = len == 0;
            }
            return !done;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the request ended inside a chunk");
            }
            left -= n;
            return n;
        }

        @Override
        public int available() {
            return left;
        }

        /** Reads what the handler left, so the next request starts at its magic. */
        void drain() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // discarded
            }
        }

        @Override
        public void close() {
            // the worker's stdin stays open for the next request
        }
    }

    /** Output sent as chunk replies; {@link #finish()} sends the rest. */
    static final class ChunkOutput extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buf = new byte[Frames.CHUNK];
        private int len;

        ChunkOutput(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (len == buf.length) {
                send();
            }
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) throws IOException {
            while (n > 0) {
                if (len == buf.length) {
                    send();
                }
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
            }
        }

        /** Sends what is buffered now, so the caller sees output as it is produced. */
        @Override
        public void flush() throws IOException {
            if (len > 0) {
                send();
            }
        }

        private void send() throws IOException {
            out.writeInt(Frames.REPLY_MAGIC);
            out.writeByte(Frames.CHUNK_OUT);
            out.writeInt(len);
            out.write(buf, 0, len);
            out.flush();
            len = 0;
        }

        void finish() throws IOException {
            flush();
        }

        @Override
        public void close() {
            // the worker's stdout carries the final reply after this
        }
    }
}
