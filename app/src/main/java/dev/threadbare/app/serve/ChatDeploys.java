package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.ci.Ci;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.MaterializerException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Deploys' voice in the chat, as quiet as CI's: when a message's version gets its deployment, one
 * 🚀 reaction on the message (no message); {@code deploy VERSION} (ensures the version's
 * deployment) and {@code url [VERSION]} (without a version: the message's own commit, else the head
 * of its thread's branch or of {@code main}) are answered to the asker alone (ephemeral, in the
 * thread where asked) with the deployment's URL and log, or why there is none. Every call is keyed
 * by the message it answers, so a replayed entry answers nothing twice. Thread safe.
 */
final class ChatDeploys {

  /** The reaction that says "this version is deployed". */
  static final String DEPLOYED = "rocket";

  private final Outbox outbox;
  private final Deployer deployer;
  private final GitStore store;
  private final Bot bot;
  private final Optional<Ci> ci;
  private final String serverUrl;

  private ChatDeploys(
      Outbox outbox, Deployer deployer, GitStore store, Bot bot, Optional<Ci> ci, String url) {
    this.outbox = outbox;
    this.deployer = deployer;
    this.store = store;
    this.bot = bot;
    this.ci = ci;
    this.serverUrl = url;
  }

  /**
   * Gives {@code wiring} its voice and starts answering the two commands: both hang off the
   * materializer after the bot, so the 🚀 follows the bot's ✅.
   */
  static ChatDeploys start(
      DeployWiring wiring, DataDir dataDir, Outbox outbox, Bot bot, Optional<Ci> ci, String url) {
    ChatDeploys chat = new ChatDeploys(outbox, wiring.deployer(), dataDir.store(), bot, ci, url);
    wiring.speakThrough(chat, dataDir.materializer());
    dataDir.materializer().addListener(chat::onMaterialized);
    return chat;
  }

  /** Whether the bot answers this entry at all (a person's, not history). */
  boolean speaksFor(EntryOutcome outcome) {
    return bot.answers(outcome);
  }

  /** Version {@code deployment} of message {@code messageTs} got its deployment: 🚀, once. */
  void deployed(Deployment deployment, String messageTs) {
    outbox.enqueue(
        new OutgoingCall.AddReaction(
            "deployed:" + deployment.channel() + ":" + messageTs + ":" + deployment.id(),
            deployment.channel(),
            messageTs,
            DEPLOYED));
  }

  private void onMaterialized(List<EntryOutcome> outcomes) {
    for (EntryOutcome outcome : outcomes) {
      if (outcome.actions().isEmpty() || !bot.answers(outcome)) {
        continue;
      }
      int n = 0;
      for (Command.Action action : outcome.actions()) {
        String name = action.name().toLowerCase(Locale.ROOT);
        if (name.equals("deploy") || name.equals("url")) {
          tell(outcome.entry(), n++, answer(outcome, name, action.arguments()));
        }
      }
    }
  }

  private String answer(EntryOutcome outcome, String command, List<String> arguments) {
    String channel = outcome.channel();
    String asked = arguments.isEmpty() ? null : arguments.get(0);
    String commit;
    try {
      commit = version(outcome, asked);
    } catch (MaterializerException e) {
      return e.getMessage();
    }
    String shortId = commit.substring(0, 12);
    Optional<Deployment> existing = deployer.forCommit(channel, commit);
    if (existing.isPresent()) {
      return describe(existing.get());
    }
    Optional<DeployConfig> config;
    try {
      config = deployer.configOf(channel, commit);
    } catch (RuntimeException e) {
      return "`" + shortId + "` cannot be read: " + e.getMessage();
    }
    if (config.isEmpty()) {
      return "`"
          + shortId
          + "` does not deploy: its threadbare.toml has no `[deploy] run = \"…\"` (a command that"
          + " listens on $PORT).";
    }
    Optional<RunStatus> status =
        config.get().hasCi() ? ciStatus(channel, commit) : Optional.empty();
    boolean green = !config.get().hasCi() || status.equals(Optional.of(RunStatus.PASSED));
    if (!green) {
      String ciState = status.map(RunStatus::label).orElse("not run");
      return "`"
          + shortId
          + "` is not deployed: it has `[ci]`, so it deploys once its tests pass (CI: "
          + ciState
          + ")."
          + (status.isEmpty() || !status.get().isFinal()
              ? " I add " + ":" + DEPLOYED + ": to its message when it is."
              : "");
    }
    if (command.equals("url")) {
      return "`" + shortId + "` has no deployment yet: `deploy " + shortId + "` makes one.";
    }
    return deployer
        .deploy(channel, commit)
        .map(this::describe)
        .orElse("`" + shortId + "` does not deploy.");
  }

  /** The commit {@code asked} names, or without it the message's version. */
  private String version(EntryOutcome outcome, String asked) {
    if (asked != null) {
      return store.resolve(outcome.channel(), asked).name();
    }
    if (outcome.commit() != null) {
      return outcome.commit();
    }
    JournalEntry entry = outcome.entry();
    String branch = entry.threadTs() != null ? "thread/" + entry.threadTs() : "main";
    try {
      return store.resolve(outcome.channel(), branch).name();
    } catch (MaterializerException e) {
      return store.resolve(outcome.channel(), "main").name();
    }
  }

  /** The CI verdict of a commit: passed on any branch wins, else its newest run's status. */
  private Optional<RunStatus> ciStatus(String channel, String commit) {
    if (ci.isEmpty()) {
      return Optional.empty();
    }
    List<CiRun> runs = ci.get().store().ofCommit(channel, commit);
    if (runs.stream().anyMatch(r -> r.status() == RunStatus.PASSED)) {
      return Optional.of(RunStatus.PASSED);
    }
    return runs.stream().max(Comparator.comparingLong(CiRun::id)).map(CiRun::status);
  }

  private String describe(Deployment d) {
    return "`"
        + d.commit().substring(0, 12)
        + "` is deployed at "
        + deployer.url(d)
        + " ("
        + d.state().label()
        + "; it starts on its first request). Log: "
        + serverUrl
        + "/deploys/"
        + d.id()
        + "/log";
  }

  private void tell(JournalEntry entry, int n, String text) {
    if (entry.user() == null) {
      return;
    }
    String key =
        "deploys:"
            + entry.team()
            + ":"
            + entry.channel()
            + ":"
            + entry.ts()
            + ":"
            + entry.version()
            + ":"
            + n;
    outbox.enqueue(
        new OutgoingCall.PostEphemeral(key, entry.channel(), entry.user(), entry.threadTs(), text));
  }
}
