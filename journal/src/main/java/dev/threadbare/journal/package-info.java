/**
 * The journal: the durable record of the chat on SQLite (the default, one file) or PostgreSQL
 * (servers, several nodes). Start with {@link dev.threadbare.journal.Journals}; the port is {@link
 * dev.threadbare.core.journal.Journal}.
 */
package dev.threadbare.journal;
