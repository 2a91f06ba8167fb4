/** The file-system operations that build a jail's root. */
@NullMarked
package org.sandbox4j.mount;

import org.jspecify.annotations.NullMarked;
