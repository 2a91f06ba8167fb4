package org.sandbox4j.worker;

import java.util.Map;

/**
 * A document's text and metadata, as {@link WorkerPool#extract} collects them (the text is bounded by
 * the pool's reply limit; for more, {@link WorkerPool#stream} it).
 *
 * @param text the output the handler wrote, decoded as UTF-8
 * @param metadata the handler's metadata
 */
public record Extracted(String text, Map<String, String> metadata) {
    /** Copies {@code metadata}. */
    public Extracted {
        metadata = Map.copyOf(metadata);
    }
}
