package dev.threadbare.deploy;

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
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * A real Jetty server on 127.0.0.1 (port 0) whose outer handler is the deployer's proxy, in front
 * of a stand-in for the server's own handler; a real git repository for channel {@code C1}; and an
 * HTTP client that addresses deployments by Host header.
 */
final class ProxyFixture implements AutoCloseable {

  static final String CHANNEL = "C1";

  final Path data;
  final TestRepo repo;
  final Deployer deployer;
  final Server jetty;
  final ServerConnector connector;
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ProxyFixture(Path data, Launcher launcher, UnaryOperator<DeploySettings> tune) throws Exception {
    this(data, launcher, DeploymentDatabases.NONE, tune);
  }

  ProxyFixture(
      Path data,
      Launcher launcher,
      DeploymentDatabases databases,
      UnaryOperator<DeploySettings> tune)
      throws Exception {
    this.data = data;
    this.repo = new TestRepo(data.resolve("git").resolve(CHANNEL + ".git"));
    jetty = new Server();
    connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    DeploySettings settings =
        tune.apply(
            DeploySettings.defaults(data, "localhost", "http://127.0.0.1")
                .withStartTimeout(Duration.ofSeconds(20)));
    deployer =
        Deployer.open(
            settings, new GitSourceTrees(channel -> repo.repository), launcher, databases, metrics);
    HandlerWrapper proxy = deployer.handler();
    proxy.setHandler(
        new AbstractHandler() {
          @Override
          public void handle(
              String target,
              Request baseRequest,
              HttpServletRequest request,
              HttpServletResponse response)
              throws IOException {
            baseRequest.setHandled(true);
            response.getWriter().print("own server");
          }
        });
    jetty.setHandler(proxy);
    jetty.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  /** A deployment of the test app {@code app} with this {@code threadbare.toml}. */
  Deployment deploy(String app, String toml, Map<String, String> extra) {
    Map<String, String> files = new java.util.HashMap<>(extra);
    files.put("threadbare.toml", toml);
    String commit = repo.commitApp(app, files);
    return deployer.deploy(CHANNEL, commit).orElseThrow();
  }

  HttpRequest.Builder request(UUID id, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
        .header("Host", id + ".localhost:" + port())
        .timeout(Duration.ofSeconds(60));
  }

  HttpResponse<String> get(UUID id, String path) throws Exception {
    return http.send(request(id, path).build(), HttpResponse.BodyHandlers.ofString());
  }

  String logOf(UUID id) throws IOException {
    return java.nio.file.Files.readString(deployer.logFile(id), StandardCharsets.UTF_8);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    deployer.close();
    jetty.stop();
    repo.close();
  }
}
