package org.sandbox4j.examples.workers;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.WriteOutContentHandler;
import org.sandbox4j.worker.StreamingHandler;

/**
 * Apache Tika in a worker: the document streams in, its text streams out (at most {@link #MAX_CHARS}
 * characters), its metadata is returned. One AutoDetectParser per worker.
 *
 * <p>A document that starts with {@link #LOOP_MARKER} makes this handler spin forever. That is an
 * <em>artificial</em> stand-in for a parser that loops on crafted input (real ones are CVEs fixed in
 * the Tika version used here): it shows what the pool does with a task that never ends.
 */
public final class TikaHandler implements StreamingHandler {
    /** The most text one document may produce; more fails the task (WriteLimitReachedException). */
    static final int MAX_CHARS = 10_000_000;
    static final byte[] LOOP_MARKER = "SANDBOX4J-LOOP".getBytes(StandardCharsets.US_ASCII);

    private final AutoDetectParser parser = new AutoDetectParser();

    @Override
    public Map<String, String> handle(InputStream in, OutputStream out) throws Exception {
        BufferedInputStream doc = new BufferedInputStream(in, 1 << 16);
        doc.mark(LOOP_MARKER.length);
        if (Arrays.equals(doc.readNBytes(LOOP_MARKER.length), LOOP_MARKER)) {
            spin();
        }
        doc.reset();
        return parse(parser, doc, out);
    }

    /** Tika's parse of one document into {@code out}; the metadata, multiple values joined. */
    static Map<String, String> parse(AutoDetectParser parser, InputStream in, OutputStream out) throws Exception {
        Metadata md = new Metadata();
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        parser.parse(in, new BodyContentHandler(new WriteOutContentHandler(w, MAX_CHARS)), md, new ParseContext());
        w.flush();
        Map<String, String> m = new TreeMap<>();
        for (String name : md.names()) {
            m.put(name, String.join(", ", md.getValues(name)));
        }
        return m;
    }

    @SuppressWarnings("InfiniteLoopStatement")
    private static void spin() {
        long x = 0;
        while (true) {
            x = x * 31 + 1;
            if (x == 42) {
                Thread.onSpinWait();
            }
        }
    }
}
