package dev.threadbare.gitimport;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.gitimport.internal.ChatClient;
import dev.threadbare.gitimport.internal.Importer;
import dev.threadbare.gitimport.internal.SourceRepository;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code threadbare import-git}: posts a git repository into a channel through the Slack Web API,
 * as the person owning the user token would, at the chat's pace (DESIGN.md section 4).
 *
 * <p>The tree at HEAD, or with {@link ImportOptions#history()} each first-parent commit in order
 * (one message per commit, crediting the original author in the text), goes as messages of code
 * blocks ({@code `path`} line and fence, packed within Slack's 40,000 characters and {@code
 * lint.max_lines}), files that cannot go as blocks as uploads titled with their path. Every message
 * is read back with the real grammar before it is sent, so what threadbare materialises is what the
 * repository holds; what the chat cannot carry (binaries, symlinks, submodules, executable bits,
 * CRLF and trailing-newline differences) is reported in the {@link ImportReport}.
 *
 * <p>A second import posts only what is not already there: the channel's history is read and parsed
 * with the grammar first; {@code --history} imports mark each posted commit with an {@code
 * Imported-Commit:} line.
 *
 * <pre>{@code
 * ImportReport report = GitImport.connect("http://127.0.0.1:8080/api/", token)
 *     .run("/path/to/repo", ImportOptions.into("general"), System.err::println);
 * }</pre>
 *
 * <p>Instances are immutable; each {@link #run} is independent. Not meant for two runs into the
 * same channel at once.
 */
public final class GitImport {

  private final MethodsClient methods;
  private final String token;

  private GitImport(MethodsClient methods, String token) {
    this.methods = methods;
    this.token = token;
  }

  /**
   * An importer talking to {@code apiUrl} ({@code http://host:port/api/} of a local workspace, or
   * null for real Slack) with a user token ({@code xoxp-…}).
   */
  public static GitImport connect(String apiUrl, String userToken) {
    Objects.requireNonNull(userToken, "userToken");
    SlackConfig config = new SlackConfig();
    if (apiUrl != null) {
      config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
    }
    config.setPrettyResponseLoggingEnabled(false);
    return new GitImport(Slack.getInstance(config).methods(userToken), userToken);
  }

  /** An importer over an existing SDK client and the user token it speaks with. */
  public static GitImport using(MethodsClient methods, String userToken) {
    return new GitImport(
        Objects.requireNonNull(methods, "methods"), Objects.requireNonNull(userToken, "userToken"));
  }

  /**
   * Imports {@code pathOrUrl} (a local repository, or a URL JGit can clone) as {@code options} say,
   * reporting progress lines to {@code progress}.
   *
   * @throws SourceUnreadableException when the repository cannot be read (nothing was posted)
   * @throws ChatCallFailedException when the chat refuses a call for good (run again to resume)
   */
  public ImportReport run(String pathOrUrl, ImportOptions options, Consumer<String> progress) {
    Objects.requireNonNull(pathOrUrl, "pathOrUrl");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(progress, "progress");
    ChatClient chat = new ChatClient(methods, token, options.messagesPerSecond(), progress);
    try (SourceRepository source = SourceRepository.open(pathOrUrl)) {
      return new Importer(chat, options, progress).run(source, label(pathOrUrl));
    }
  }

  private static String label(String pathOrUrl) {
    String trimmed = pathOrUrl.replaceAll("[/\\\\]+$", "");
    String name =
        trimmed.substring(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
    if (name.endsWith(".git")) {
      name = name.substring(0, name.length() - 4);
    }
    return name.isEmpty() ? pathOrUrl : name;
  }
}
