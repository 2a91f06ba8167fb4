package org.sandbox4j.worker;

/** A handler whose constructor fails after a warning: a worker that cannot start. */
public final class FailingStartHandler implements WorkerHandler {
    public FailingStartHandler() {
        System.err.println("[main] WARN org.example.Config - no config file, using defaults");
        throw new IllegalStateException("the handler cannot start: boom-at-start");
    }

    @Override
    public byte[] handle(byte[] request) {
        return request;
    }
}
