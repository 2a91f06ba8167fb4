package org.sandbox4j.worker;

import java.util.Map;

/**
 * What a {@link StreamingHandler} returned for one document.
 *
 * @param metadata the handler's metadata (e.g. Tika's {@code Content-Type}, {@code dc:title})
 * @param bytesIn the bytes of input sent to the worker
 * @param bytesOut the bytes of output the worker wrote
 */
public record StreamResult(Map<String, String> metadata, long bytesIn, long bytesOut) {
    /** Copies {@code metadata}. */
    public StreamResult {
        metadata = Map.copyOf(metadata);
    }
}
