package dev.threadbare.app.cli;

import dev.threadbare.app.DataDir;
import dev.threadbare.app.repo.JGitConfinement;
import dev.threadbare.materializer.GitStore;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The read-only commands {@code tree}, {@code show} and {@code log}, answered without building
 * picocli's command tree when their arguments are the plain ones ({@code --data DIR --channel C
 * [--ref REF]}, and the PATH of {@code show}); anything else (help, {@code --journal-url}, an
 * unknown or repeated option, {@code @file} arguments) goes to picocli, which also words every
 * usage error. Same output and exit status as the picocli commands in {@link RepoCommands}, which
 * print through the same methods. Issue 17 (the CLI starts at once): this path loads a fraction of
 * the classes. Stateless.
 */
public final class QuickCommands {

  /** What {@link #run} returns when the arguments are for picocli. */
  public static final int NOT_QUICK = -1;

  private QuickCommands() {}

  /** The plain arguments of a read-only command. */
  record Arguments(String command, Path data, String channel, String ref, String path) {}

  /**
   * Runs {@code args} when they are a plain {@code tree}, {@code show} or {@code log}, printing to
   * standard output and error as picocli would; returns the exit status, or {@link #NOT_QUICK}.
   */
  public static int run(String[] args) {
    Arguments parsed = parse(args);
    if (parsed == null) {
      return NOT_QUICK;
    }
    return run(
        parsed,
        writer(System.out, System.getProperty("sun.stdout.encoding")),
        writer(System.err, System.getProperty("sun.stderr.encoding")));
  }

  // picocli's own choice of encoding for its writers, so that the bytes are the same.
  private static PrintWriter writer(PrintStream stream, String encoding) {
    Charset charset = encoding == null ? Charset.defaultCharset() : Charset.forName(encoding);
    return new PrintWriter(new OutputStreamWriter(stream, charset), true);
  }

  /** Runs parsed arguments, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(Arguments args, PrintWriter out, PrintWriter err) {
    try {
      // A read-only listing needs neither git's system-wide config (finding it runs `git` twice)
      // nor JGit's translated texts, which its shutdown hook would load at once (the texts of an
      // error still load when one is thrown).
      JGitConfinement.confineTo(args.data(), false);
      JGitConfinement.withoutShutdownHook();
      DataDir.catchUpForReading(args.data(), null);
      GitStore store = GitStore.open(args.data().resolve("git"));
      String text =
          switch (args.command()) {
            case "tree" -> RepoCommands.tree(store, args.channel(), args.ref());
            case "show" -> RepoCommands.show(store, args.channel(), args.ref(), args.path());
            default -> RepoCommands.log(store, args.channel(), args.ref());
          };
      out.print(text);
      out.flush();
      return 0;
    } catch (RuntimeException e) {
      err.println("threadbare: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** The plain arguments of {@code args}, or null when picocli should parse them. */
  static Arguments parse(String[] args) {
    if (args.length == 0) {
      return null;
    }
    String command = args[0];
    if (!command.equals("tree") && !command.equals("show") && !command.equals("log")) {
      return null;
    }
    String data = null;
    String channel = null;
    String ref = null;
    String path = null;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("@")) {
        return null; // picocli reads arguments from that file
      }
      if (arg.startsWith("--") && arg.length() > 2) {
        int eq = arg.indexOf('=');
        String name = eq > 0 ? arg.substring(0, eq) : arg;
        String value;
        if (eq > 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          return null;
        }
        if (value.startsWith("-") || value.startsWith("@")) {
          return null;
        }
        switch (name) {
          case "--data" -> {
            if (data != null) {
              return null;
            }
            data = value;
          }
          case "--channel" -> {
            if (channel != null) {
              return null;
            }
            channel = value;
          }
          case "--ref" -> {
            if (ref != null) {
              return null;
            }
            ref = value;
          }
          default -> {
            return null;
          }
        }
      } else if (arg.startsWith("-")) {
        return null;
      } else if (command.equals("show") && path == null) {
        path = arg;
      } else {
        return null;
      }
    }
    if (data == null || channel == null || (command.equals("show") && path == null)) {
      return null;
    }
    try {
      return new Arguments(command, Path.of(data), channel, ref == null ? "main" : ref, path);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
