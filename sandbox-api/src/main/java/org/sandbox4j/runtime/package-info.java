/**
 * Other runtimes for the same {@link org.sandbox4j.Sandbox}: {@link JailRuntime#GVISOR} runs a jail
 * under gVisor's {@code runsc} (a user-space kernel between the program and the host's), and {@link
 * JailExport} writes a jail as an OCI runtime bundle, an nsjail config or a bubblewrap command line.
 * Which builder call maps to what, and which are refused, is in docs/runtimes.md.
 */
@NullMarked
package org.sandbox4j.runtime;

import org.jspecify.annotations.NullMarked;
