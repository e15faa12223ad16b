package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.ci.Ci;
import dev.threadbare.core.review.Approvals;
import dev.threadbare.db.DbLayer;
import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.GitSourceTrees;
import dev.threadbare.deploy.Launcher;
import dev.threadbare.deploy.SandboxLauncher;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.prod.ProdServer;
import dev.threadbare.prod.ProdStore;
import dev.threadbare.sandbox.SandboxException;
import dev.threadbare.sandbox.Sandboxes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prod inside {@code serve}: the record ({@code DIR/prod.db}, or PostgreSQL beside the journal),
 * the {@link ProdServer} behind the deploy proxy at {@code <channel>.prod.<base host>} (sandboxed
 * like deployments, against each channel's prod database on the db layer), and {@link ChatProd} on
 * the materializer's outcomes and on {@code /threadbare}. Used once, while serve starts.
 */
final class ProdWiring {
  private static final Logger log = LoggerFactory.getLogger(ProdWiring.class);

  private ProdWiring() {}

  /** Wires prod; what it opened is closed by {@code closer}. */
  static ProdServer start(
      Server.Settings settings,
      DataDir dataDir,
      Deployer deployer,
      ChatWiring chat,
      Outbox outbox,
      OpsReporting ops,
      Supplier<DbLayer> db,
      IntSupplier dbPort,
      Supplier<Ci> ci,
      GitServe gitServe,
      Server.Closer closer) {
    Path data = settings.data();
    String journalUrl =
        settings.journalUrl() != null
            ? settings.journalUrl()
            : System.getenv(DataDir.JOURNAL_URL_ENV);
    ProdStore store =
        closer.closeLater(
            journalUrl != null && journalUrl.startsWith("jdbc:postgresql:")
                ? ProdStore.postgres(
                    journalUrl,
                    System.getenv("THREADBARE_JOURNAL_USER"),
                    System.getenv("THREADBARE_JOURNAL_PASSWORD"))
                : ProdStore.sqlite(data.resolve("prod.db")));
    GitSourceTrees sources = new GitSourceTrees(dataDir.store()::repository, true);
    DeploymentDatabases databases =
        settings.dbPort() < 0
            ? DeploymentDatabases.NONE
            : new LayerDatabases(db, Server.hostForUrl(settings.host()), dbPort);
    ProdServer prod =
        closer.closeLater(
            ProdServer.open(
                ProdServer.Settings.defaults(data, deployer.baseHost()),
                store,
                sources,
                launcher(data),
                databases,
                name -> channelId(dataDir, name),
                key -> {
                  int space = key.indexOf(' ');
                  return sources
                      .readFile(
                          key.substring(0, space), key.substring(space + 1), DeployConfig.FILE)
                      .flatMap(DeployConfig::parse);
                }));
    deployer.routeHosts(prod);
    ChatProd chatProd =
        new ChatProd(
            prod,
            deployer,
            dataDir.store(),
            dataDir.journal(),
            outbox,
            chat.methods(),
            chat.botToken(),
            chat::botUserId,
            ci,
            ops::report);
    closer.closeLater(chatProd::close);
    dataDir.materializer().addListener(chatProd::onOutcomes);
    chat.answerSlashFirst(chatProd::answerSlash);
    // The code browser's history shows who approved each version (one journal read a page).
    gitServe.approvalsFrom(
        channel -> {
          Approvals approvals = Approvals.of(dataDir.journal(), channel);
          return (ts, thread) -> List.copyOf(approvals.ofCommitOf(channel, ts));
        });
    return prod;
  }

  private static Optional<String> channelId(DataDir dataDir, String name) {
    try {
      String id = dataDir.store().channelId(name);
      return id != null && name.equalsIgnoreCase(dataDir.store().channelName(id))
          ? Optional.of(id)
          : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Prod runs in the same sandbox as deployments; without bubblewrap it refuses to start. */
  private static Launcher launcher(Path data) {
    try {
      return new SandboxLauncher(Sandboxes.bubblewrap(data.resolve("prod").resolve(".scratch")));
    } catch (SandboxException e) {
      log.warn("prod cannot start: {}", e.getMessage());
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
