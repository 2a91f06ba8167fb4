/**
 * What the host offers sandbox4j, probed for real: {@link org.sandbox4j.Sandbox#probe()} and the
 * {@code sandbox4j doctor} command.
 *
 * <pre>{@code
 * HostProbe probe = Sandbox.probe();
 * probe.features().stream().filter(f -> f.status() != Status.OK).forEach(f -> log.warn("{}", f));
 * }</pre>
 */
@NullMarked
package org.sandbox4j.probe;

import org.jspecify.annotations.NullMarked;
