package dev.threadbare.app.cli;

import picocli.CommandLine.Command;

/** {@code threadbare db …}: the migration-free database layer. Owned by the db work. */
@Command(name = "db", description = "The migration-free SQL layer.")
public final class DbCommand {}
