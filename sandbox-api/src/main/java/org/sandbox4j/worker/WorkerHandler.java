package org.sandbox4j.worker;

/**
 * The code a jailed worker JVM runs for each request. The class needs a public no-argument
 * constructor; one instance serves every request of a worker, one request at a time.
 *
 * <pre>{@code
 * public final class Upper implements WorkerHandler {
 *     public byte[] handle(byte[] request) {
 *         return new String(request, UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8);
 *     }
 * }
 * }</pre>
 *
 * <p>An exception thrown here reaches the caller as a {@link WorkerException} of kind {@link
 * WorkerException.Kind#HANDLER_ERROR} and the worker keeps serving. {@code System.out} is
 * {@code System.err} inside a worker (stdout carries the replies), and both end up in SLF4J.
 */
@FunctionalInterface
public interface WorkerHandler {
    /** Answers one request. */
    byte[] handle(byte[] request) throws Exception;
}
