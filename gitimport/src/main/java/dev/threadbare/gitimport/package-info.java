/**
 * {@code threadbare import-git}: posts a git repository into a channel as a person would, through
 * the Slack Web API, so that the chat grammar reads it back exactly. Start at {@link
 * dev.threadbare.gitimport.GitImport}.
 */
package dev.threadbare.gitimport;
