package dev.threadbare.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reverse proxy in front of real apps (Python http.server, Node) run as host processes. */
class ProxyTest {

  static final String PYTHON = "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n";

  @TempDir Path data;
  ProxyFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new ProxyFixture(data, new HostLauncher(), s -> s);
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void unknownDeploymentIs404AtOnceAndOtherHostsReachTheServer() throws Exception {
    HttpResponse<String> unknown = fx.get(UUID.randomUUID(), "/");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("No deployment");
    HttpResponse<String> own =
        fx.http.send(
            HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + fx.port() + "/x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(own.body()).isEqualTo("own server");
  }

  @Test
  void concurrentFirstRequestsShareOneStartAndGetTheVersion() throws Exception {
    Deployment d = fx.deploy("python", PYTHON, Map.of("VERSION", "v1"));
    assertThat(d.state()).isEqualTo(DeploymentState.STOPPED);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(pool.submit(() -> fx.get(d.id(), "/")));
      }
      for (Future<HttpResponse<String>> a : answers) {
        HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("version v1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fx.logOf(d.id()).split("starting `", -1)).hasSize(2);
    assertThat(fx.deployer.find(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.RUNNING);
    assertThat(fx.metrics.counter("threadbare_deploy_cold_starts_total").count()).isEqualTo(1.0);
  }

  @Test
  void forwardsHostAndXForwardedHeaders() throws Exception {
    Deployment d = fx.deploy("python", PYTHON, Map.of("VERSION", "v1"));
    String headers = fx.get(d.id(), "/headers").body();
    String host = d.id() + ".localhost:" + fx.port();
    assertThat(headers)
        .contains("\"Host\": \"" + host + "\"")
        .contains("\"X-Forwarded-For\": \"127.0.0.1\"")
        .contains("\"X-Forwarded-Proto\": \"http\"")
        .contains("\"X-Forwarded-Host\": \"" + host + "\"")
        .contains("\"Via\": \"1.1 ");
  }

  @Test
  void streamsLargeUploadsAndChunkedResponsesAndKeepsConnectionsAlive() throws Exception {
    Deployment d = fx.deploy("python", PYTHON, Map.of("VERSION", "v1"));
    byte[] upload = new byte[48 * 1024 * 1024];
    HttpResponse<String> posted =
        fx.http.send(
            fx.request(d.id(), "/upload")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.body()).isEqualTo("received " + upload.length);

    // The second chunk is written only after /release: the first must arrive before it.
    HttpResponse<InputStream> chunked =
        fx.http.send(
            fx.request(d.id(), "/chunked").build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = chunked.body()) {
      assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("first");
      assertThat(fx.get(d.id(), "/release").body()).isEqualTo("released");
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second");
    }

    java.net.http.HttpClient oneConnection = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 20; i++) {
      assertThat(
              oneConnection
                  .send(fx.request(d.id(), "/").build(), HttpResponse.BodyHandlers.ofString())
                  .body())
          .isEqualTo("version v1");
    }
    assertThat(fx.connector.getConnectedEndPoints()).hasSizeLessThanOrEqualTo(3);
  }

  @Test
  void relaysServerSentEventsAndWebSockets() throws Exception {
    Deployment d = fx.deploy("node", "[deploy]\nrun = \"node server.js\"\n", Map.of());
    HttpResponse<InputStream> events =
        fx.http.send(
            fx.request(d.id(), "/events").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(events.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    try (var lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("data: hello");
      assertThat(lines.readLine()).isEmpty();
      assertThat(fx.get(d.id(), "/send?m=news").body()).isEqualTo("sent to 1");
      assertThat(lines.readLine()).isEqualTo("data: news");
    }

    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket ws =
        fx.http
            .newWebSocketBuilder()
            .header("Host", d.id() + ".localhost:" + fx.port())
            .subprotocols("chat")
            .buildAsync(
                java.net.URI.create("ws://127.0.0.1:" + fx.port() + "/socket?x=1"),
                new WebSocket.Listener() {
                  final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      received.add(text.toString());
                      text.setLength(0);
                    }
                    s.request(1);
                    return CompletableFuture.completedFuture(null);
                  }
                })
            .get(30, TimeUnit.SECONDS);
    assertThat(ws.getSubprotocol()).isEqualTo("chat");
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("welcome /socket?x=1");
    ws.sendText("ping one", true).get(10, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo ping one");
    String big = "z".repeat(200_000);
    ws.sendText(big, true).get(10, TimeUnit.SECONDS);
    String echoed = received.poll(10, TimeUnit.SECONDS);
    assertThat(echoed).isNotNull();
    assertThat(echoed.length()).isEqualTo(big.length() + 5);
    assertThat(echoed.equals("echo " + big)).isTrue();
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAppThatNeverListensAnswers503WithTheLogTailWithinItsStartTimeout() throws Exception {
    fx.close();
    fx = new ProxyFixture(data, new HostLauncher(), s -> s.withStartTimeout(Duration.ofSeconds(2)));
    Deployment d = fx.deploy("silent", PYTHON, Map.of());
    HttpResponse<String> first = fx.get(d.id(), "/");
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.body())
        .contains("did not listen on $PORT")
        .contains("within 2 s")
        .contains("warming up forever")
        .contains("/deploys/" + d.id() + "/log");
    assertThat(fx.deployer.find(d.id()).orElseThrow().state()).isEqualTo(DeploymentState.FAILED);
    // Answered from memory until the retry delay passes: no second wait.
    HttpResponse<String> again = fx.get(d.id(), "/");
    assertThat(again.statusCode()).isEqualTo(503);
    assertThat(fx.logOf(d.id()).split("starting `", -1)).hasSize(2);
    HttpResponse<String> log =
        fx.http.send(
            HttpRequest.newBuilder(
                    java.net.URI.create(
                        "http://127.0.0.1:" + fx.port() + "/deploys/" + d.id() + "/log"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(log.body()).contains("warming up forever").contains("did not listen");
  }

  @Test
  void aFailedBuildAnswers502AndIsNotRetried() throws Exception {
    Deployment d =
        fx.deploy(
            "python",
            "[deploy]\nbuild = \"echo compiling; exit 7\"\nrun = \"/usr/bin/python3 app.py\"\n",
            Map.of("VERSION", "v1"));
    HttpResponse<String> r = fx.get(d.id(), "/");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("failed (exit 7)").contains("compiling");
    assertThat(fx.get(d.id(), "/").statusCode()).isEqualTo(502);
    assertThat(fx.logOf(d.id()).split("building `", -1)).hasSize(2);
  }

  @Test
  void anAppThatCrashesAfterItsFirstRequestStartsAgainOnTheNext() throws Exception {
    Deployment d = fx.deploy("crash", PYTHON, Map.of());
    String first = fx.get(d.id(), "/").body();
    assertThat(first).startsWith("pid ");
    ProxyFixture.await(
        "the crash to be noticed",
        () -> fx.deployer.find(d.id()).orElseThrow().state() == DeploymentState.STOPPED);
    HttpResponse<String> second = fx.get(d.id(), "/");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).startsWith("pid ").isNotEqualTo(first);
    assertThat(fx.logOf(d.id()))
        .contains("crashing after this request")
        .contains("exited with code 3");
  }

  @Test
  void idleDeploymentsStopAndStartAgain() throws Exception {
    Deployment d = fx.deploy("python", PYTHON + "idle_stop = \"1s\"\n", Map.of("VERSION", "v1"));
    assertThat(fx.get(d.id(), "/").body()).isEqualTo("version v1");
    ProxyFixture.await(
        "idle stop",
        () -> fx.deployer.find(d.id()).orElseThrow().state() == DeploymentState.STOPPED);
    assertThat(fx.deployer.runningCount()).isZero();
    assertThat(fx.get(d.id(), "/").body()).isEqualTo("version v1");
    assertThat(fx.logOf(d.id())).contains("stopping: idle for PT1S");
  }

  @Test
  void atMostMaxRunningRunAndTheLeastRecentlyUsedStopsFirst() throws Exception {
    fx.close();
    fx = new ProxyFixture(data, new HostLauncher(), s -> s.withMaxRunning(2));
    Deployment a = fx.deploy("python", PYTHON, Map.of("VERSION", "a"));
    Deployment b = fx.deploy("python", PYTHON, Map.of("VERSION", "b"));
    Deployment c = fx.deploy("python", PYTHON, Map.of("VERSION", "c"));
    assertThat(fx.get(a.id(), "/").body()).isEqualTo("version a");
    assertThat(fx.get(b.id(), "/").body()).isEqualTo("version b");
    assertThat(fx.get(a.id(), "/").body()).isEqualTo("version a"); // b is now the least recent
    assertThat(fx.get(c.id(), "/").body()).isEqualTo("version c");
    assertThat(fx.deployer.runningCount()).isEqualTo(2);
    assertThat(fx.deployer.find(b.id()).orElseThrow().state()).isEqualTo(DeploymentState.STOPPED);
    assertThat(fx.deployer.find(a.id()).orElseThrow().state()).isEqualTo(DeploymentState.RUNNING);
  }

  @Test
  void recordsSurviveARestartWithTheSameIdAndTheDeploymentStartsAgain() throws Exception {
    Deployment d = fx.deploy("python", PYTHON, Map.of("VERSION", "v1"));
    assertThat(fx.get(d.id(), "/").body()).isEqualTo("version v1");
    fx.close();
    fx = new ProxyFixture(data, new HostLauncher(), s -> s);
    Deployment again = fx.deployer.deploy(ProxyFixture.CHANNEL, d.commit()).orElseThrow();
    assertThat(again.id()).isEqualTo(d.id());
    assertThat(again.state()).isEqualTo(DeploymentState.STOPPED);
    assertThat(fx.get(d.id(), "/").body()).isEqualTo("version v1");
    // Built once: the second start reused the output.
    assertThat(fx.deployer.list(ProxyFixture.CHANNEL))
        .extracting(Deployment::id)
        .containsExactly(d.id());
  }
}
