/** Linux capabilities a jail may keep. */
@NullMarked
package org.sandbox4j.caps;

import org.jspecify.annotations.NullMarked;
