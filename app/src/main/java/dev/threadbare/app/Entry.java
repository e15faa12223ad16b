package dev.threadbare.app;

import dev.threadbare.app.cli.QuickCommands;

/**
 * The jar's entry point: a plain {@code tree}, {@code show} or {@code log} is answered by {@link
 * QuickCommands}, everything else by {@link Main}. A class of its own because the JVM, checking a
 * main class, loads the types of all its methods, and {@link Main}'s name picocli's {@code
 * CommandLine}, which the AOT cache does not hold (its class file is Java 5's). Issue 17.
 * Stateless.
 */
public final class Entry {

  private Entry() {}

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    int quick = QuickCommands.run(args);
    if (quick != QuickCommands.NOT_QUICK) {
      System.exit(quick);
    }
    Main.main(args);
  }
}
