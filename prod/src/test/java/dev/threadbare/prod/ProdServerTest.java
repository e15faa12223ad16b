package dev.threadbare.prod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.DeploySettings;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.GitSourceTrees;
import dev.threadbare.deploy.HostLauncher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prod behind the real deploy proxy (Jetty), real git, real Python servers as host processes:
 * promote, switch under load without a dropped request, roll back, failures leave prod as it was,
 * and what a crash leaves pending is abandoned on the next open.
 */
class ProdServerTest {

  static final String CHANNEL = "C1";
  static final String APP =
      """
      import os, http.server
      V = open('version.txt').read().strip()
      class H(http.server.BaseHTTPRequestHandler):
          protocol_version = 'HTTP/1.1'
          def do_GET(self):
              body = V.encode()
              self.send_response(200)
              self.send_header('Content-Length', str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          def log_message(self, *a):
              pass
      http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
      """;
  static final String TOML = "[deploy]\nrun = \"python3 app.py\"\n";

  @TempDir Path data;
  Repository repo;
  Deployer deployer;
  ProdServer prod;
  Server jetty;
  ServerConnector connector;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    repo =
        new FileRepositoryBuilder()
            .setGitDir(data.resolve("git/C1.git").toFile())
            .setBare()
            .build();
    repo.create(true);
    openServers();
  }

  void openServers() throws Exception {
    jetty = new Server();
    connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    GitSourceTrees sources = new GitSourceTrees(c -> repo, false);
    deployer =
        Deployer.open(
            DeploySettings.defaults(data, "localhost", "http://127.0.0.1"),
            sources,
            new HostLauncher(),
            DeploymentDatabases.NONE,
            new SimpleMeterRegistry());
    prod =
        ProdServer.open(
            ProdServer.Settings.defaults(data, "localhost"),
            ProdStore.sqlite(data.resolve("prod.db")),
            sources,
            new HostLauncher(),
            DeploymentDatabases.NONE,
            name -> name.equals("general") ? Optional.of(CHANNEL) : Optional.empty(),
            key -> {
              String commit = key.substring(key.indexOf(' ') + 1);
              return sources
                  .readFile(CHANNEL, commit, "threadbare.toml")
                  .flatMap(DeployConfig::parse);
            });
    deployer.routeHosts(prod);
    HandlerWrapper proxy = deployer.handler();
    proxy.setHandler(
        new AbstractHandler() {
          @Override
          public void handle(
              String target, Request base, HttpServletRequest req, HttpServletResponse res)
              throws IOException {
            base.setHandled(true);
            res.getWriter().print("own server");
          }
        });
    jetty.setHandler(proxy);
    jetty.start();
  }

  void closeServers() throws Exception {
    prod.close();
    prod.store().close();
    deployer.close();
    jetty.stop();
  }

  @AfterEach
  void stop() throws Exception {
    closeServers();
    repo.close();
  }

  String commit(String version, String toml) throws IOException {
    return commit(repo, version, toml);
  }

  /**
   * Commits {@link #APP} serving {@code version}, with {@code toml} as threadbare.toml, to {@code
   * repo} (no parent, no ref); its id. Shared with {@code bench/prod/ProdBench}.
   */
  static String commit(Repository repo, String version, String toml) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("app.py", APP.getBytes(StandardCharsets.UTF_8));
    files.put("version.txt", (version + "\n").getBytes(StandardCharsets.UTF_8));
    files.put("threadbare.toml", toml.getBytes(StandardCharsets.UTF_8));
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      TreeFormatter tree = new TreeFormatter();
      for (var e : files.entrySet()) {
        tree.append(
            e.getKey(), FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, e.getValue()));
      }
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(inserter.insert(tree));
      PersonIdent who = new PersonIdent("test", "test@example.com");
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage(version);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id.name();
    }
  }

  ProdEvent step(ProdEvent.Action action, String commit, String user) {
    var deployment = deployer.deploy(CHANNEL, commit).orElseThrow();
    return prod.switchTo(
        new ProdServer.Step(
            CHANNEL,
            action,
            commit,
            deployment.id(),
            deployment.config(),
            user,
            List.of("U9"),
            null));
  }

  HttpResponse<String> get(String host) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"))
            .header("Host", host + ":" + connector.getLocalPort())
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void promoteSwitchesUnderLoadWithoutDroppingARequestAndRollbackGoesBack() throws Exception {
    assertThat(get("general.prod.localhost").statusCode()).isEqualTo(404);
    assertThat(get("general.prod.localhost").body()).contains("has no prod yet");
    assertThat(get("nosuch.prod.localhost").statusCode()).isEqualTo(404);
    assertThat(get("localhost").body()).isEqualTo("own server");

    String v1 = commit("v1", TOML);
    String v2 = commit("v2", TOML);
    ProdEvent first = step(ProdEvent.Action.PROMOTE, v1, "U1");
    assertThat(first.status()).isEqualTo(ProdEvent.Status.DONE);
    assertThat(first.previous()).isNull();
    assertThat(get("general.prod.localhost").body()).isEqualTo("v1");
    assertThat(get("GENERAL.prod.localhost").body()).isEqualTo("v1");

    // Requests keep flowing while v2 starts and takes over: every one is answered.
    AtomicBoolean switched = new AtomicBoolean();
    AtomicInteger after = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread load =
        new Thread(
            () -> {
              // until 20 requests have been answered after the switch
              while (after.get() < 20) {
                try {
                  HttpResponse<String> r = get("general.prod.localhost");
                  if (r.statusCode() != 200) {
                    failures.add(r.statusCode() + " " + r.body());
                  } else {
                    bodies.add(r.body());
                  }
                } catch (Exception e) {
                  failures.add(e.toString());
                }
                if (switched.get()) {
                  after.incrementAndGet();
                }
              }
            });
    load.start();
    ProdEvent second = step(ProdEvent.Action.PROMOTE, v2, "U2");
    switched.set(true);
    load.join(Duration.ofMinutes(2).toMillis());
    assertThat(load.isAlive()).isFalse();
    assertThat(failures).isEmpty();
    assertThat(bodies).contains("v2").allMatch(b -> b.equals("v1") || b.equals("v2"));
    assertThat(bodies.get(bodies.size() - 1)).isEqualTo("v2");
    assertThat(second.previous()).isEqualTo(v1);
    assertThat(prod.running(CHANNEL)).contains(v2);

    // rollback: back to v1; rolling back again has nothing before v1
    assertThat(prod.store().rollbackTarget(CHANNEL)).contains(v1);
    ProdEvent back = step(ProdEvent.Action.ROLLBACK, v1, "U1");
    assertThat(back.previous()).isNull();
    assertThat(get("general.prod.localhost").body()).isEqualTo("v1");
    assertThat(prod.store().rollbackTarget(CHANNEL)).isEmpty();

    assertThat(prod.store().history(CHANNEL))
        .extracting(e -> e.action().label() + " " + e.commit() + " " + e.user() + " " + e.status())
        .containsExactly(
            "rollback " + v1 + " U1 DONE",
            "promote " + v2 + " U2 DONE",
            "promote " + v1 + " U1 DONE");
  }

  @Test
  void aVersionThatCannotStartLeavesProdAsItWas() throws Exception {
    String v1 = commit("v1", TOML);
    String broken = commit("broken", "[deploy]\nrun = \"python3 -c 'raise SystemExit(3)'\"\n");
    step(ProdEvent.Action.PROMOTE, v1, "U1");
    assertThatThrownBy(() -> step(ProdEvent.Action.PROMOTE, broken, "U1"))
        .isInstanceOf(ProdException.class)
        .hasMessageContaining("before listening on $PORT");
    assertThat(get("general.prod.localhost").body()).isEqualTo("v1");
    assertThat(prod.store().current(CHANNEL).orElseThrow().commit()).isEqualTo(v1);
    assertThat(prod.store().history(CHANNEL).get(0).status()).isEqualTo(ProdEvent.Status.FAILED);
  }

  @Test
  void afterARestartProdStartsOnItsFirstRequestAndWhatWasPendingIsAbandoned() throws Exception {
    String v1 = commit("v1", TOML);
    String v2 = commit("v2", TOML);
    step(ProdEvent.Action.PROMOTE, v1, "U1");
    // The server dies mid-promotion of v2: the record says pending, v2 never served.
    prod.store()
        .begin(
            CHANNEL,
            ProdEvent.Action.PROMOTE,
            v2,
            null,
            "U2",
            java.time.Instant.now(),
            List.of(),
            null,
            v1);
    closeServers();
    openServers();
    assertThat(prod.running(CHANNEL)).isEmpty();
    assertThat(get("general.prod.localhost").body()).isEqualTo("v1");
    List<ProdEvent> history = prod.store().history(CHANNEL);
    assertThat(history.get(0).status()).isEqualTo(ProdEvent.Status.ABANDONED);
    assertThat(history.get(0).commit()).isEqualTo(v2);
    assertThat(history.get(1).status()).isEqualTo(ProdEvent.Status.DONE);
  }
}
