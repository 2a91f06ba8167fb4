/**
 * Jailed worker JVMs: {@link org.sandbox4j.worker.WorkerSpec} describes a JVM that sees only the
 * JDK and its class path, {@link org.sandbox4j.worker.WorkerPool} keeps warm workers that run a
 * {@link org.sandbox4j.worker.WorkerHandler} one request at a time, and replaces any that crash,
 * run out of memory, time out or break a seccomp rule. See docs/workers.md.
 */
@NullMarked
package org.sandbox4j.worker;

import org.jspecify.annotations.NullMarked;
