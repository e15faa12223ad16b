/**
 * The PostgreSQL wire protocol (v3) server that puts the db layer on the network. {@link
 * dev.threadbare.pgwire.PgWireServer} is the listener and entry point; each accepted connection is
 * served by its own session (startup, authentication, simple and extended query protocol) and
 * speaks through a codec whose message types are sealed interfaces. Spec: <a
 * href="https://www.postgresql.org/docs/current/protocol.html">PostgreSQL frontend/backend
 * protocol</a>.
 */
package dev.threadbare.pgwire;
