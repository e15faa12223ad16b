/**
 * The local workspace: a Slack-compatible chat hosted in the JVM (Web API, Events API delivery, web
 * UI), so threadbare runs without a Slack account. Start at {@link
 * dev.threadbare.workspace.LocalWorkspace}; everything under {@code internal} is private to this
 * module.
 */
package dev.threadbare.workspace;
