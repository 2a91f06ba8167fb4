/** Resource limits for jails ({@code setrlimit(2)}). */
@NullMarked
package org.sandbox4j.limits;

import org.jspecify.annotations.NullMarked;
