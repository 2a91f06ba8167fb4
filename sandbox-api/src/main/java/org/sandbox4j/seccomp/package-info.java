/**
 * Seccomp filters in pure Java: {@link org.sandbox4j.seccomp.SeccompPolicy} describes which system
 * calls a program may make, {@link org.sandbox4j.seccomp.SeccompPolicy#compile(org.sandbox4j.Arch)}
 * turns it into a classic-BPF {@link org.sandbox4j.seccomp.SeccompProgram}, and
 * {@link org.sandbox4j.seccomp.BpfInterpreter} runs such a program in Java so a policy can be tested
 * without a kernel. See {@code docs/seccomp.md}.
 */
@NullMarked
package org.sandbox4j.seccomp;

import org.jspecify.annotations.NullMarked;
