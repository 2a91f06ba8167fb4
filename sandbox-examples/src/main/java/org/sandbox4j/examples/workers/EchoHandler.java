package org.sandbox4j.examples.workers;

import org.sandbox4j.worker.WorkerHandler;

/** The trivial task of the benchmark: the request is the reply. */
public final class EchoHandler implements WorkerHandler {
    @Override
    public byte[] handle(byte[] request) {
        return request;
    }
}
