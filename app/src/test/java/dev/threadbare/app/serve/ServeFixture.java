package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.Message;
import com.slack.api.model.Reaction;
import dev.threadbare.app.Main;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * One {@code serve} in this process for an end-to-end test, as a person meets it: the server, the
 * first admin's Slack SDK client against the local workspace, and {@code #general}'s id. The Web
 * API's rate limits are lifted, because the tests poll it; the bot's outbox keeps its own pace
 * either way.
 *
 * <p>Start it in {@code @BeforeAll} and close it in {@code @AfterAll}; the Slack client is
 * thread-safe, the rest is set once at start.
 */
public final class ServeFixture implements AutoCloseable {

  private final Server server;
  private final Path data;
  private final MethodsClient person;
  private final String general;

  private ServeFixture(Server server, Path data, MethodsClient person, String general) {
    this.server = server;
    this.data = data;
    this.person = person;
    this.general = general;
  }

  /** Starts serve on a fresh data directory; the person is the first-run admin. */
  public static ServeFixture start(Server.Settings settings) throws Exception {
    return start(settings, null);
  }

  /**
   * Starts serve; the person is the user of {@code personToken}, or the first-run admin when it is
   * null (a data directory that was served before has none).
   */
  public static ServeFixture start(Server.Settings settings, String personToken) throws Exception {
    Server server = Server.start(settings);
    try {
      server.workspace().orElseThrow().setRateLimits(RateLimits.unlimited());
      MethodsClient person =
          client(server, personToken == null ? server.firstRunAdminToken() : personToken);
      return new ServeFixture(server, settings.data(), person, channelId(person, "general"));
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /** The running server. */
  public Server server() {
    return server;
  }

  /** The person's Slack SDK client. */
  public MethodsClient person() {
    return person;
  }

  /** {@code #general}'s channel id. */
  public String general() {
    return general;
  }

  /** The data directory serve runs on. */
  public Path data() {
    return data;
  }

  /** A Slack SDK client for {@code token} against this serve's Web API. */
  public MethodsClient client(String token) {
    return client(server, token);
  }

  /** A Slack SDK client for {@code token} against {@code server}'s Web API. */
  public static MethodsClient client(Server server, String token) {
    return client(server.url() + "/api/", token);
  }

  /** A Slack SDK client for {@code token} against the Web API at {@code apiUrl} (ends in /api/). */
  public static MethodsClient client(String apiUrl, String token) {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(apiUrl);
    config.setPrettyResponseLoggingEnabled(false);
    return Slack.getInstance(config).methods(token);
  }

  /** The id of the channel named {@code name}, as {@code reader} lists it. */
  public static String channelId(MethodsClient reader, String name) throws Exception {
    return reader.conversationsList(r -> r).getChannels().stream()
        .filter(c -> c.getName().equals(name))
        .map(Conversation::getId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no channel #" + name));
  }

  /** Posts {@code text} as the person (in a thread when {@code threadTs} is set); its ts. */
  public String post(String channel, String threadTs, String text) throws Exception {
    ChatPostMessageResponse posted =
        person.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  /** The names of the reactions on message {@code ts} (top level or a reply); none on an error. */
  public List<String> reactions(String channel, String ts) {
    try {
      List<Message> messages =
          person.conversationsReplies(r -> r.channel(channel).ts(ts)).getMessages();
      if (messages == null) {
        return List.of();
      }
      return messages.stream()
          .filter(m -> ts.equals(m.getTs()))
          .findFirst()
          .map(
              m ->
                  m.getReactions() == null
                      ? List.<String>of()
                      : m.getReactions().stream().map(Reaction::getName).toList())
          .orElse(List.of());
    } catch (Exception e) {
      return List.of();
    }
  }

  /**
   * The payload of the call the bot's outbox sent under idempotency {@code key} (an ephemeral
   * answer, say), or null while there is none.
   */
  public String sentByOutbox(String key) {
    String url = "jdbc:sqlite:" + data().resolve("outbox.db");
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement q =
            c.prepareStatement(
                "SELECT payload FROM outbox WHERE idempotency_key = ? AND state = 'sent'")) {
      q.setString(1, key);
      try (ResultSet rows = q.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /** A file as a message carries it: its path, then a code block ({@code content} ends in \n). */
  public static String file(String path, String content) {
    return "`" + path + "`\n```\n" + content + "```\n";
  }

  /** Runs the CLI as a user would while serve runs; asserts it succeeded; its output's lines. */
  public static List<String> cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute(args)).as(String.join(" ", args) + ": " + err).isZero();
    return out.toString().strip().lines().toList();
  }

  /** The last line of the CLI's output for {@code args}, stripped. */
  public static String cliLastLine(String... args) {
    List<String> lines = cli(args);
    return lines.get(lines.size() - 1).strip();
  }

  /**
   * Runs {@code curl -sS --max-time 60 ARGS}; asserts it succeeded; its output. curl resolves
   * *.localhost to loopback by itself, as browsers do.
   */
  public static String curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /**
   * A second local workspace, the ops channel's home: its {@code #general} is the ops channel,
   * reached with its own bot token. Close it after the serve that reports to it.
   */
  public record OpsWorkspace(
      LocalWorkspace workspace, String apiUrl, MethodsClient reader, String channel)
      implements AutoCloseable {

    /** Opens and starts a workspace in {@code dir} on a free port. */
    public static OpsWorkspace open(Path dir) throws Exception {
      LocalWorkspace workspace = LocalWorkspace.open(dir);
      try {
        String api = "http://127.0.0.1:" + workspace.start(0) + "/api/";
        MethodsClient reader = client(api, workspace.firstRunAdminToken().orElseThrow());
        return new OpsWorkspace(workspace, api, reader, channelId(reader, "general"));
      } catch (Exception | Error e) {
        workspace.close();
        throw e;
      }
    }

    /** What serve's {@code withOps} takes to report here. */
    public Server.OpsChannel opsChannel() {
      return new Server.OpsChannel(channel, workspace.botToken(), apiUrl);
    }

    /** The messages in the ops channel, newest first; none on an error. */
    public List<Message> messages() {
      try {
        List<Message> messages = reader.conversationsHistory(r -> r.channel(channel)).getMessages();
        return messages == null ? List.of() : messages;
      } catch (Exception e) {
        return List.of();
      }
    }

    @Override
    public void close() {
      workspace.close();
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
