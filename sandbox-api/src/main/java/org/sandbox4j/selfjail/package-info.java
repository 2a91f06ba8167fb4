/**
 * Confining the whole application: {@link org.sandbox4j.selfjail.SelfJail#enter} re-executes the JVM
 * in a jail at startup; {@link org.sandbox4j.selfjail.InProcessChroot} confines a running JVM that
 * holds CAP_SYS_CHROOT. See docs/self-jail.md.
 */
@NullMarked
package org.sandbox4j.selfjail;

import org.jspecify.annotations.NullMarked;
