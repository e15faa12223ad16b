/**
 * CI: every commit whose tree configures {@code [ci] test} in {@code threadbare.toml} runs that
 * command in a fresh checkout, in the {@link dev.threadbare.sandbox.Sandbox}. Start with {@link
 * dev.threadbare.ci.Ci}; runs are kept in a {@link dev.threadbare.ci.RunStore}.
 */
package dev.threadbare.ci;
