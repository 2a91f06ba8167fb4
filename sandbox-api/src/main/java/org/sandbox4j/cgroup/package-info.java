/**
 * Resource control with cgroups: the limits a jail or a worker JVM gets ({@link
 * org.sandbox4j.cgroup.CgroupLimits}), which limit a jail ran into ({@link
 * org.sandbox4j.cgroup.ResourceLimit}) and what it used ({@link org.sandbox4j.cgroup.ResourceUsage}).
 * See docs/resources.md.
 */
@NullMarked
package org.sandbox4j.cgroup;

import org.jspecify.annotations.NullMarked;
