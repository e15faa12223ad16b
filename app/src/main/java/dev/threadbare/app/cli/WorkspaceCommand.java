package dev.threadbare.app.cli;

import picocli.CommandLine.Command;

/** {@code threadbare workspace …}: administers the local workspace. Owned by the workspace work. */
@Command(name = "workspace", description = "Administer the local workspace.")
public final class WorkspaceCommand {}
