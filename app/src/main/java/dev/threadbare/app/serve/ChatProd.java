package dev.threadbare.app.serve;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.conversations.ConversationsListResponse;
import com.slack.api.methods.response.conversations.ConversationsMembersResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.ConversationType;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.ci.Ci;
import dev.threadbare.ci.CiConfig;
import dev.threadbare.ci.CiConfigException;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.core.review.Approvals;
import dev.threadbare.core.review.ReviewSettings;
import dev.threadbare.core.review.ReviewSettingsException;
import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.prod.ProdEvent;
import dev.threadbare.prod.ProdException;
import dev.threadbare.prod.ProdServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code promote VERSION} and {@code rollback}, in a channel message or as {@code /threadbare}: the
 * rules of DESIGN.md section 6 and the chat's answers.
 *
 * <p>A promotion needs, all at once: authority (a workspace admin or owner by {@code users.info},
 * or a member of the private channel {@code <channel>-promoters}), a version with {@code [deploy]
 * run}, a passed CI run when the version has {@code [ci]}, and as many approvals ({@link Approvals}
 * of the version's message and thread) as {@code [review] approvals} says <em>in the version now in
 * prod</em> ({@link #PROMOTION_DEFAULTS} before the first promotion). A rollback needs authority
 * and a previous prod. A refusal is private and lists everything missing; a done step gets 🚀 on
 * the message, a private note to the asker, and one line in the ops channel.
 *
 * <p>A command in a message older than {@link #STALE} (journaled by catch-up after downtime, or
 * history) is not carried out: the asker is told to say it again. Steps run one at a time, off the
 * event thread. Thread safe.
 */
final class ChatProd {

  /**
   * A promotion's bar where prod's version says nothing (or before the first promotion): one
   * approval. A merge's default is none ({@link ReviewSettings#DEFAULTS}); a release is the
   * decision a second person should see.
   */
  static final ReviewSettings PROMOTION_DEFAULTS = new ReviewSettings(1, false);

  /** Whether a version's file asks for CI: a {@code [ci] test}, or a file CI cannot read. */
  private static boolean requiresCi(String toml) {
    try {
      return CiConfig.parse(toml).isPresent();
    } catch (CiConfigException e) {
      return true;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ChatProd.class);
  static final Duration STALE = Duration.ofMinutes(10);
  static final String DONE = "rocket";
  private static final Pattern PERMALINK = Pattern.compile("/archives/([^/]+)/p(\\d{10})(\\d{6})");
  private static final Pattern TRAILER = Pattern.compile("(?m)^Chat-Message: (.*)$");

  /** Where the ops line goes (the ops channel, or the log). */
  interface OpsLine {
    void post(String key, String text);
  }

  private final ProdServer prod;
  private final Deployer deployer;
  private final GitStore store;
  private final Journal journal;
  private final Outbox outbox;
  private final MethodsClient methods;
  private final String botToken;
  private final Supplier<String> botUserId;
  private final Supplier<Ci> ci;
  private final OpsLine ops;
  private final ExecutorService steps =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "prod-steps");
            t.setDaemon(true);
            return t;
          });

  ChatProd(
      ProdServer prod,
      Deployer deployer,
      GitStore store,
      Journal journal,
      Outbox outbox,
      MethodsClient methods,
      String botToken,
      Supplier<String> botUserId,
      Supplier<Ci> ci,
      OpsLine ops) {
    this.prod = prod;
    this.deployer = deployer;
    this.store = store;
    this.journal = journal;
    this.outbox = outbox;
    this.methods = methods;
    this.botToken = botToken;
    this.botUserId = botUserId;
    this.ci = ci;
    this.ops = ops;
  }

  /** What a command asks, before it is checked. */
  record Ask(String channel, String user, String version, boolean rollback) {}

  /** A step the rules allow. */
  record Allowed(ProdServer.Step step, String shortCommit, String channelName) {}

  /** The materializer's outcomes: promote and rollback commands in people's messages. */
  void onOutcomes(List<EntryOutcome> outcomes) {
    for (EntryOutcome outcome : outcomes) {
      if (outcome.fromBot()
          || outcome.entry().user() == null
          || outcome.entry().user().equals(botUserId.get())) {
        continue;
      }
      for (Command.Action action : outcome.actions()) {
        String name = action.name().toLowerCase(Locale.ROOT);
        if (name.equals("promote") || name.equals("rollback")) {
          onCommand(outcome.entry(), name, action.arguments());
        }
      }
    }
  }

  private void onCommand(JournalEntry entry, String name, List<String> arguments) {
    String id =
        "prod:" + entry.team() + ":" + entry.channel() + ":" + entry.ts() + ":" + entry.version();
    String mine = UUID.randomUUID().toString();
    if (!outbox.rememberOnce(id, mine).equals(mine)) {
      return; // carried out (or refused) before: a replay
    }
    if (entry.eventTime().isBefore(Instant.now().minus(STALE))) {
      tell(
          entry,
          id + ":stale",
          "`"
              + name
              + "` was said more than 10 minutes ago (while"
              + " threadbare was not listening?): it was not carried out. Say it again to do it now.");
      return;
    }
    Ask ask =
        new Ask(
            entry.channel(),
            entry.user(),
            arguments.isEmpty() ? null : arguments.get(0),
            name.equals("rollback"));
    steps.execute(
        () -> {
          try {
            Allowed allowed = check(ask);
            ProdEvent done = prod.switchTo(allowed.step());
            react(entry, id);
            tell(entry, id + ":done", doneText(done, allowed));
            report(done, allowed);
          } catch (Refused r) {
            tell(entry, id + ":refused", r.getMessage());
          } catch (RuntimeException e) {
            log.warn("{} in {} failed", name, entry.channel(), e);
            tell(entry, id + ":failed", failText(ask, e));
          }
        });
  }

  /**
   * The {@code /threadbare} handler's part: answers {@code promote}/{@code rollback} (the refusal,
   * or that it is under way; the result follows privately), else null for the bot to answer.
   */
  String answerSlash(String team, String channel, String user, String text) {
    Optional<Command> command =
        text == null ? Optional.empty() : ChatGrammar.parseCommand(text.strip());
    if (command.isEmpty() || !(command.get() instanceof Command.Action action)) {
      return null;
    }
    String name = action.name().toLowerCase(Locale.ROOT);
    if (!name.equals("promote") && !name.equals("rollback")) {
      return null;
    }
    Ask ask =
        new Ask(
            channel,
            user,
            action.arguments().isEmpty() ? null : action.arguments().get(0),
            name.equals("rollback"));
    Allowed allowed;
    try {
      allowed = check(ask);
    } catch (Refused r) {
      return r.getMessage();
    } catch (RuntimeException e) {
      return failText(ask, e);
    }
    String key = "prod:slash:" + channel + ":" + user + ":" + UUID.randomUUID();
    steps.execute(
        () -> {
          try {
            ProdEvent done = prod.switchTo(allowed.step());
            outbox.enqueue(
                new OutgoingCall.PostEphemeral(
                    key + ":done", channel, user, null, doneText(done, allowed)));
            report(done, allowed);
          } catch (RuntimeException e) {
            outbox.enqueue(
                new OutgoingCall.PostEphemeral(
                    key + ":failed", channel, user, null, failText(ask, e)));
          }
        });
    return (ask.rollback() ? "Rolling back" : "Promoting `" + allowed.shortCommit() + "`")
        + " #"
        + allowed.channelName()
        + "'s prod: the old version serves until the new one listens; you will be told here.";
  }

  /** A refusal: what is missing, for the asker alone. */
  static final class Refused extends ProdException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** Applies the rules; the step to take, or {@link Refused} listing everything missing. */
  Allowed check(Ask ask) {
    String channelName =
        Optional.ofNullable(store.channelName(ask.channel())).orElse(ask.channel());
    String verb = ask.rollback() ? "roll back" : "promote";
    List<String> missing = new ArrayList<>();
    if (!mayPromote(ask.user(), channelName)) {
      missing.add(
          "authority: you may not "
              + verb
              + " in #"
              + channelName
              + " — workspace admins and owners may, and members of the private channel #"
              + channelName
              + "-promoters");
    }
    Optional<ProdEvent> current = prod.store().current(ask.channel());
    String commit;
    if (ask.rollback()) {
      Optional<String> target = prod.store().rollbackTarget(ask.channel());
      if (target.isEmpty()) {
        missing.add(
            current.isEmpty()
                ? "a prod: #" + channelName + " has none yet, so there is nothing to roll back"
                : "a previous prod: nothing served #"
                    + channelName
                    + " before `"
                    + shortId(current.get().commit())
                    + "`");
        throw refused(verb, channelName, missing);
      }
      commit = target.get();
    } else {
      if (ask.version() == null) {
        missing.add("a version: say `promote VERSION` (a commit id, BRANCH@N or a message link)");
        throw refused(verb, channelName, missing);
      }
      try {
        commit = store.resolve(ask.channel(), unlink(ask.version())).name();
      } catch (RuntimeException e) {
        missing.add("a version: " + e.getMessage());
        throw refused(verb, channelName, missing);
      }
    }
    String shortCommit = shortId(commit);
    Optional<String> toml = file(ask.channel(), commit, DeployConfig.FILE);
    Optional<DeployConfig> config = Optional.empty();
    try {
      config = toml.flatMap(DeployConfig::parse);
      if (config.isEmpty()) {
        missing.add(
            "something to serve: `"
                + shortCommit
                + "` has no `[deploy] run` in "
                + DeployConfig.FILE);
      }
    } catch (RuntimeException e) {
      missing.add("a valid " + DeployConfig.FILE + " at `" + shortCommit + "`: " + e.getMessage());
    }
    if (current.isPresent() && current.get().commit().equals(commit)) {
      missing.add("a change: `" + shortCommit + "` already serves #" + channelName + "'s prod");
    }
    Long ciRun = null;
    List<String> approvers = List.of();
    if (!ask.rollback()) {
      if (toml.isPresent() && requiresCi(toml.get())) {
        Optional<CiRun> passed =
            ciRuns(ask.channel(), commit).stream()
                .filter(r -> r.status() == RunStatus.PASSED)
                .findFirst();
        if (passed.isPresent()) {
          ciRun = passed.get().id();
        } else {
          String state =
              ciRuns(ask.channel(), commit).stream()
                  .findFirst()
                  .map(r -> "its run is " + r.status().label())
                  .orElse("it has no run yet");
          missing.add("green CI: `" + shortCommit + "` has `[ci]` and " + state);
        }
      }
      ReviewSettings bar = PROMOTION_DEFAULTS;
      String barFrom = "the defaults (nothing promoted yet)";
      if (current.isPresent()) {
        barFrom = "prod's version `" + shortId(current.get().commit()) + "`";
        try {
          bar =
              file(ask.channel(), current.get().commit(), DeployConfig.FILE)
                  .map(prodToml -> ReviewSettings.parse(prodToml, PROMOTION_DEFAULTS))
                  .orElse(PROMOTION_DEFAULTS);
        } catch (ReviewSettingsException e) {
          bar = PROMOTION_DEFAULTS;
        }
      }
      approvers = approvals(ask.channel(), commit);
      if (approvers.size() < bar.approvals()) {
        missing.add(
            "approvals: `"
                + shortCommit
                + "` has "
                + approvers.size()
                + " of the "
                + bar.approvals()
                + " needed (👍 on its message or its thread's first message, from someone who did"
                + " not write it; the number comes from "
                + barFrom
                + ")");
      }
    } else {
      approvers = approvals(ask.channel(), commit);
    }
    if (!missing.isEmpty()) {
      throw refused(verb, channelName, missing);
    }
    Deployment deployment =
        deployer
            .deploy(ask.channel(), commit)
            .orElseThrow(() -> new Refused("`" + shortCommit + "` does not deploy"));
    return new Allowed(
        new ProdServer.Step(
            ask.channel(),
            ask.rollback() ? ProdEvent.Action.ROLLBACK : ProdEvent.Action.PROMOTE,
            commit,
            deployment.id(),
            config.orElseThrow(),
            ask.user(),
            approvers,
            ciRun),
        shortCommit,
        channelName);
  }

  private static Refused refused(String verb, String channelName, List<String> missing) {
    return new Refused(
        "Not done — to "
            + verb
            + " #"
            + channelName
            + "'s prod, this is missing:\n• "
            + String.join("\n• ", missing)
            + "\nProd is unchanged.");
  }

  /** A permalink in Slack's {@code <url>} or {@code <url|label>} form, unwrapped. */
  private static String unlink(String version) {
    String v = version.strip();
    if (v.startsWith("<") && v.endsWith(">")) {
      v = v.substring(1, v.length() - 1);
      int bar = v.indexOf('|');
      if (bar >= 0) {
        v = v.substring(0, bar);
      }
    }
    return v;
  }

  private List<CiRun> ciRuns(String channel, String commit) {
    Ci runner = ci.get();
    return runner == null ? List.of() : runner.store().ofCommit(channel, commit);
  }

  /** The approvals of the message (and its thread) the commit came from. */
  List<String> approvals(String channel, String commit) {
    Optional<String> ts = messageTs(channel, commit);
    if (ts.isEmpty()) {
      return List.of();
    }
    return List.copyOf(Approvals.of(journal, channel).ofCommitOf(channel, ts.get()));
  }

  /** The ts of the message a commit came from, by its {@code Chat-Message} trailer. */
  Optional<String> messageTs(String channel, String commit) {
    try (Repository repo = store.repository(channel);
        RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
      Matcher trailer = TRAILER.matcher(c.getFullMessage());
      String link = null;
      while (trailer.find()) {
        link = trailer.group(1).strip();
      }
      if (link == null) {
        return Optional.empty();
      }
      Matcher m = PERMALINK.matcher(link);
      return m.find() ? Optional.of(m.group(2) + "." + m.group(3)) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private Optional<String> file(String channel, String commit, String path) {
    try {
      return Optional.of(new String(store.read(channel, commit, path), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Authority comes from the chat: admin/owner, or a member of {@code #<channel>-promoters}. */
  boolean mayPromote(String user, String channelName) {
    try {
      UsersInfoResponse info = methods.usersInfo(r -> r.token(botToken).user(user));
      if (info.isOk()
          && info.getUser() != null
          && (info.getUser().isAdmin()
              || info.getUser().isOwner()
              || info.getUser().isPrimaryOwner())) {
        return true;
      }
      String promoters = channelName + "-promoters";
      String cursor = null;
      do {
        String page = cursor;
        ConversationsListResponse list =
            methods.conversationsList(
                r ->
                    r.token(botToken)
                        .types(List.of(ConversationType.PRIVATE_CHANNEL))
                        .limit(1000)
                        .cursor(page));
        if (!list.isOk()) {
          log.warn("conversations.list for #{}: {}", promoters, list.getError());
          return false;
        }
        for (Conversation c : list.getChannels()) {
          if (promoters.equals(c.getName()) && c.isPrivate()) {
            return isMember(c.getId(), user);
          }
        }
        cursor =
            list.getResponseMetadata() == null ? null : list.getResponseMetadata().getNextCursor();
      } while (cursor != null && !cursor.isEmpty());
      return false;
    } catch (IOException | SlackApiException e) {
      log.warn("checking {}'s authority: {}", user, e.toString());
      return false;
    }
  }

  private boolean isMember(String channel, String user) throws IOException, SlackApiException {
    String cursor = null;
    do {
      String page = cursor;
      ConversationsMembersResponse members =
          methods.conversationsMembers(
              r -> r.token(botToken).channel(channel).limit(1000).cursor(page));
      if (!members.isOk()) {
        return false;
      }
      if (members.getMembers().contains(user)) {
        return true;
      }
      cursor =
          members.getResponseMetadata() == null
              ? null
              : members.getResponseMetadata().getNextCursor();
    } while (cursor != null && !cursor.isEmpty());
    return false;
  }

  private String doneText(ProdEvent done, Allowed allowed) {
    return (done.action() == ProdEvent.Action.ROLLBACK ? "Rolled back" : "Promoted")
        + ": #"
        + allowed.channelName()
        + "'s prod is now `"
        + allowed.shortCommit()
        + "` at "
        + prod.url(allowed.channelName());
  }

  private String failText(Ask ask, RuntimeException e) {
    return (ask.rollback() ? "Rollback" : "Promotion")
        + " failed, prod is unchanged: "
        + e.getMessage();
  }

  private void report(ProdEvent done, Allowed allowed) {
    String approvals =
        done.approvals().isEmpty()
            ? "none"
            : done.approvals().stream().map(u -> "<@" + u + ">").collect(Collectors.joining(" "));
    ops.post(
        "prod:" + done.channel() + ":" + done.id(),
        "prod #"
            + allowed.channelName()
            + ": "
            + done.action().label()
            + " `"
            + allowed.shortCommit()
            + "` by <@"
            + done.user()
            + ">, approvals "
            + approvals
            + ", CI run "
            + (done.ciRun() == null ? "none ([ci] not set)" : done.ciRun().toString())
            + " — "
            + prod.url(allowed.channelName()));
  }

  private void react(JournalEntry entry, String id) {
    outbox.enqueue(new OutgoingCall.AddReaction(id + ":react", entry.channel(), entry.ts(), DONE));
  }

  private void tell(JournalEntry entry, String key, String text) {
    outbox.enqueue(
        new OutgoingCall.PostEphemeral(key, entry.channel(), entry.user(), entry.threadTs(), text));
  }

  static String shortId(String commit) {
    return commit.length() > 10 ? commit.substring(0, 10) : commit;
  }

  void close() {
    steps.shutdownNow();
  }
}
