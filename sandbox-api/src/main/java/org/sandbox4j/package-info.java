/**
 * Jailed processes for Java programs on Linux: {@link org.sandbox4j.Sandbox} describes a jail,
 * {@link org.sandbox4j.Sandbox#start(java.util.List)} runs a program in it and returns a
 * {@link java.lang.Process}.
 */
@NullMarked
package org.sandbox4j;

import org.jspecify.annotations.NullMarked;
