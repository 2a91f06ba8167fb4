/**
 * What the host offers sandbox4j, probed for real: {@link org.sandbox4j.probe.HostProbe#run()} and the
 * {@code sandbox4j doctor} command.
 *
 * <pre>{@code
 * HostProbe probe = HostProbe.run();
 * probe.features().stream().filter(f -> f.status() != Status.OK).forEach(f -> log.warn("{}", f));
 * }</pre>
 */
@NullMarked
package org.sandbox4j.probe;

import org.jspecify.annotations.NullMarked;
