package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.ci.Ci;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.core.materialization.BranchUpdate;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.db.DbLayer;
import dev.threadbare.deploy.DeployHttp;
import dev.threadbare.deploy.DeploySettings;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.GitSourceTrees;
import dev.threadbare.deploy.Launcher;
import dev.threadbare.deploy.SandboxLauncher;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.materializer.MaterializerException;
import dev.threadbare.sandbox.SandboxException;
import dev.threadbare.sandbox.Sandboxes;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires deployments into serve: the {@link Deployer} over the git store, its bubblewrap sandbox, a
 * database per deployment from the db layer, and the two ways a version becomes a deployment — a
 * commit the materializer made whose {@code threadbare.toml} has {@code [deploy]} but no {@code
 * [ci]} deploys at once; one with {@code [ci]} deploys when CI tells {@link #ciListener()} its run
 * passed (a failed, errored or cancelled run never deploys). Each new deployment of a message's
 * version is told to the chat voice ({@link ChatDeploys}), which starts the commit listening after
 * the bot's (so 🚀 follows ✅). Made once while serve starts; thread safe.
 */
final class DeployWiring {
  private static final Logger log = LoggerFactory.getLogger(DeployWiring.class);

  private final Deployer deployer;
  private volatile ChatDeploys voice;
  private volatile BooleanSupplier startsHere = () -> true;

  private DeployWiring(Deployer deployer) {
    this.deployer = deployer;
  }

  /**
   * Opens the deployer for {@code settings}, serving at {@code <uuid>.<base host>} next to the
   * server at {@code url} (HTTP port {@code port}); {@code db} and {@code dbPort} are read when a
   * deployment first starts (the db layer opens after the deployer).
   */
  static DeployWiring open(
      Server.Settings settings,
      String url,
      int port,
      DataDir dataDir,
      Supplier<DbLayer> db,
      IntSupplier dbPort,
      MeterRegistry metrics) {
    String baseHost = settings.baseHost() == null ? "localhost:" + port : settings.baseHost();
    Deployer deployer =
        Deployer.open(
            new DeploySettings(
                settings.data(),
                baseHost,
                url,
                settings.maxRunning() == 0
                    ? DeploySettings.defaultMaxRunning()
                    : settings.maxRunning(),
                Duration.ofSeconds(60),
                Duration.ofMinutes(10),
                Duration.ofSeconds(10)),
            new GitSourceTrees(dataDir.store()::repository, true),
            launcher(settings.data()),
            settings.dbPort() < 0
                ? DeploymentDatabases.NONE
                : new LayerDatabases(db, Server.hostForUrl(settings.host()), dbPort),
            metrics);
    return new DeployWiring(deployer);
  }

  Deployer deployer() {
    return deployer;
  }

  /**
   * Makes deployments of the materializer's commits only while {@code value} holds (on the leader
   * of several nodes; a passed CI run deploys where it ran, which is the leader too).
   */
  void startOnlyWhile(BooleanSupplier value) {
    this.startsHere = java.util.Objects.requireNonNull(value, "value");
  }

  /**
   * Starts deploying the materializer's commits, telling {@code chat} of each new deployment of a
   * message the bot answers. Call once, after the bot listens.
   */
  void speakThrough(ChatDeploys chat, Materializer materializer) {
    this.voice = chat;
    materializer.addListener(this::onMaterialized);
  }

  /**
   * Serves the deployments pages ({@code /deploys/channels/<channel>}) on {@code http}, to the
   * holders of a token who may read the channel (as CI's pages).
   */
  void pages(Javalin http, GitStore store, GitServe gitServe, ChatChannels channels) {
    DeployHttp.register(
        http,
        deployer,
        channel -> {
          try {
            return Optional.of(store.channelId(channel));
          } catch (MaterializerException e) {
            return Optional.empty();
          }
        },
        (ctx, channel) -> CiWiring.allowed(ctx, channel, gitServe, channels));
  }

  /**
   * CI's seam: a run that passed deploys its commit (when the version has {@code [deploy] run});
   * any other status deploys nothing. A failure here is thrown, so CI tells this run again at its
   * next start (deploying is idempotent per version).
   */
  Ci.Listener ciListener() {
    return this::onCiRun;
  }

  private void onCiRun(CiRun run) {
    if (run.status() != RunStatus.PASSED) {
      return;
    }
    deployer.onCiPassed(run.channel(), run.commit()).ifPresent(d -> deployed(d, run.messageTs()));
  }

  private void onMaterialized(List<EntryOutcome> outcomes) {
    if (!startsHere.getAsBoolean()) {
      return;
    }
    for (EntryOutcome outcome : outcomes) {
      for (BranchUpdate change : outcome.branches()) {
        try {
          Optional<Deployment> made = deployer.onCommit(outcome.channel(), change.after());
          // Told for the message's own commit only (not for every branch it moved).
          if (made.isPresent()
              && change.after().equals(outcome.commit())
              && voice.speaksFor(outcome)) {
            deployed(made.get(), outcome.entry().ts());
          }
        } catch (RuntimeException e) {
          log.warn("deploying {}: {}", change.after(), e.toString());
        }
      }
    }
  }

  private void deployed(Deployment deployment, String messageTs) {
    ChatDeploys chat = voice;
    if (chat != null && messageTs != null) {
      chat.deployed(deployment, messageTs);
    }
  }

  /**
   * The sandbox deployments run in; where bubblewrap cannot run, a launcher that refuses every
   * start with the reason (untrusted code never runs unsandboxed).
   */
  private static Launcher launcher(Path data) {
    try {
      return new SandboxLauncher(Sandboxes.bubblewrap(data.resolve("deploys").resolve(".scratch")));
    } catch (SandboxException e) {
      log.warn("deployments cannot start: {}", e.getMessage());
      return new Launcher() {
        @Override
        public Running start(Launch launch) throws IOException {
          throw new IOException("no sandbox on this machine: " + e.getMessage());
        }

        @Override
        public String describe() {
          return "none: " + e.getMessage();
        }
      };
    }
  }
}
