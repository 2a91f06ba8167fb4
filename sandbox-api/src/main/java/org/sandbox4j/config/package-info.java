/**
 * The sandbox4j configuration file: a line-oriented, commented text whose directives are the
 * {@code sandbox4j run} options without their leading dashes, each one {@link
 * org.sandbox4j.Sandbox.Builder} call. See docs/config.md.
 *
 * <pre>{@code
 * Sandbox sandbox = SandboxConfig.load(Path.of("pdftotext.jail")).applyTo(Sandbox.builder()).build();
 * }</pre>
 */
@NullMarked
package org.sandbox4j.config;

import org.jspecify.annotations.NullMarked;
