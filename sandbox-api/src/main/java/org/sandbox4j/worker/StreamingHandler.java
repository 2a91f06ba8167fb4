package org.sandbox4j.worker;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Worker code for documents of any size: it reads the document as it arrives and writes its result
 * as it is produced, and neither JVM holds the whole of either. The class needs a public no-argument
 * constructor; it may implement {@link WorkerHandler} too, for small requests.
 *
 * <pre>{@code
 * public final class TikaText implements StreamingHandler {
 *     private final AutoDetectParser parser = new AutoDetectParser();
 *     public Map<String, String> handle(InputStream in, OutputStream out) throws Exception {
 *         Metadata md = new Metadata();
 *         parser.parse(in, new BodyContentHandler(new OutputStreamWriter(out, UTF_8)), md, new ParseContext());
 *         Map<String, String> m = new TreeMap<>();
 *         for (String n : md.names()) m.put(n, String.join(", ", md.getValues(n)));
 *         return m;
 *     }
 * }
 * }</pre>
 *
 * <p>Called by {@link WorkerPool#stream} and {@link WorkerPool#extract}. {@code in} ends where the
 * caller's input ended; what the handler leaves unread is skipped. {@code out} is sent in chunks of at
 * most 64 KiB (closing it does nothing). An exception reaches the caller as a {@link WorkerException}
 * of kind {@link WorkerException.Kind#HANDLER_ERROR} (what was written before it has been delivered)
 * and the worker keeps serving.
 */
@FunctionalInterface
public interface StreamingHandler {
    /** Handles one document: reads {@code in}, writes the result body to {@code out}, returns its metadata. */
    Map<String, String> handle(InputStream in, OutputStream out) throws Exception;
}
