/**
 * Runs untrusted code: a command in a writable work directory, isolated from the host and bounded
 * by {@link dev.threadbare.sandbox.Limits}. Start with {@link dev.threadbare.sandbox.Sandboxes};
 * the port is {@link dev.threadbare.sandbox.Sandbox}.
 */
package dev.threadbare.sandbox;
