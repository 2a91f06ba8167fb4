/**
 * Lockdown of the running JVM once it has started: no_new_privs, rlimits, Landlock and capability drop
 * on every thread, a seccomp filter synchronised to every thread; irreversible. See docs/lockdown.md.
 */
@NullMarked
package org.sandbox4j.lockdown;

import org.jspecify.annotations.NullMarked;
