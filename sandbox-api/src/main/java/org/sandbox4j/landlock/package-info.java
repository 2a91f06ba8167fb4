/**
 * Landlock rules shared by jails ({@code Sandbox.Builder.landlock}) and the lockdown of a running JVM
 * ({@code Lockdown.Builder.landlock}): file-system rights beneath paths and TCP ports, a
 * {@link org.sandbox4j.landlock.Compatibility} level, and a {@link org.sandbox4j.landlock.LandlockStatus}
 * that says exactly what the running kernel enforced. See docs/landlock.md.
 */
@NullMarked
package org.sandbox4j.landlock;

import org.jspecify.annotations.NullMarked;
