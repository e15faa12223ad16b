package dev.threadbare.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.sandbox.Sandboxes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployments run in the real bubblewrap sandbox, behind the real proxy. */
class SandboxedDeployTest {

  @TempDir Path data;
  ProxyFixture fx;

  @BeforeEach
  void start() throws Exception {
    // The sandbox runs as nobody when we are root: the deployment's directory must be reachable.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x"));
    Files.writeString(data.resolve("workspace.db"), "secret tokens");
    fx =
        new ProxyFixture(
            data,
            new SandboxLauncher(Sandboxes.bubblewrap(data.resolve("deploys").resolve(".scratch"))),
            s -> s);
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void aSandboxedAppServesThroughTheProxy() throws Exception {
    Deployment d = fx.deploy("python", ProxyTest.PYTHON, Map.of("VERSION", "boxed"));
    HttpResponse<String> r = fx.get(d.id(), "/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("version boxed");
  }

  /** The proxy reaches a private-network deployment by its Unix socket: a real proxy still. */
  @Test
  void theProxyForwardsHeadersUploadsAndStreamsThroughThePrivateNetworkSocket() throws Exception {
    Deployment d = fx.deploy("python", ProxyTest.PYTHON, Map.of("VERSION", "boxed"));
    String host = d.id() + ".localhost:" + fx.port();
    assertThat(fx.get(d.id(), "/headers").body())
        .contains("\"Host\": \"" + host + "\"")
        .contains("\"X-Forwarded-For\": \"127.0.0.1\"")
        .contains("\"Via\": \"1.1 ");
    byte[] upload = new byte[8 * 1024 * 1024];
    HttpResponse<String> posted =
        fx.http.send(
            fx.request(d.id(), "/upload")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(upload))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.body()).isEqualTo("received " + upload.length);
    // The second chunk is written only after /release: the first must arrive before it.
    HttpResponse<java.io.InputStream> chunked =
        fx.http.send(
            fx.request(d.id(), "/chunked").build(), HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = chunked.body()) {
      assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("first");
      assertThat(fx.get(d.id(), "/release").body()).isEqualTo("released");
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("second");
    }
  }

  @Test
  void anAppCannotReadTheDataDirectory() throws Exception {
    assertThat(Files.list(data).map(p -> p.getFileName().toString())).contains("workspace.db");
    Deployment d =
        fx.deploy("spy", ProxyTest.PYTHON, Map.of("TARGET", data.toAbsolutePath().toString()));
    HttpResponse<String> r = fx.get(d.id(), "/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("refused: ").doesNotContain("workspace.db");
  }

  /**
   * A running deployment has a network of its own: from inside, the server's HTTP port, another
   * deployment's port, any other host port and the outside are out of reach; its own port is not.
   */
  @Test
  void aDeploymentReachesNeitherTheServerNorOtherDeploymentsNorTheOutside() throws Exception {
    Deployment a = fx.deploy("dialer", ProxyTest.PYTHON, Map.of());
    Deployment b = fx.deploy("dialer", ProxyTest.PYTHON, Map.of("OTHER", "b"));
    String ownPort = fx.get(a.id(), "/port").body();
    String otherPort = fx.get(b.id(), "/port").body();
    assertThat(otherPort).isNotEqualTo(ownPort);
    try (ServerSocket hostOnly = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // The dialer works: its own port answers inside.
      assertThat(dial(a, "127.0.0.1", ownPort)).isEqualTo("reached");
      assertThat(dial(a, "127.0.0.1", Integer.toString(fx.port()))).startsWith("failed: ");
      assertThat(dial(a, "127.0.0.1", otherPort)).startsWith("failed: ");
      assertThat(dial(a, "127.0.0.1", Integer.toString(hostOnly.getLocalPort())))
          .startsWith("failed: ");
      assertThat(dial(a, "1.1.1.1", "80")).startsWith("failed: ");
    }
    // and b still answers the proxy.
    assertThat(fx.get(b.id(), "/port").body()).isEqualTo(otherPort);
  }

  private String dial(Deployment d, String host, String port) throws Exception {
    HttpResponse<String> r = fx.get(d.id(), "/dial?host=" + host + "&port=" + port);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /**
   * In the private network the host learns of the listen from the namespace's socket table: an app
   * that never listens still fails within its start timeout, one that exits fails at once.
   */
  @Test
  void anAppThatNeverListensOrExitsFailsClearlyInThePrivateNetwork() throws Exception {
    fx.close();
    fx =
        new ProxyFixture(
            data,
            new SandboxLauncher(Sandboxes.bubblewrap(data.resolve("deploys").resolve(".scratch"))),
            s -> s.withStartTimeout(java.time.Duration.ofSeconds(3)));
    Deployment silent = fx.deploy("silent", ProxyTest.PYTHON, Map.of());
    HttpResponse<String> r = fx.get(silent.id(), "/");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("did not listen on $PORT").contains("within 3 s");
    Deployment exits =
        fx.deploy("python", "[deploy]\nrun = \"echo leaving; exit 3\"\n", Map.of("V", "x"));
    HttpResponse<String> gone = fx.get(exits.id(), "/");
    assertThat(gone.statusCode()).isEqualTo(503);
    assertThat(gone.body()).contains("exited with code 3 before listening").contains("leaving");
  }

  @Test
  void aBuildRunsWithoutNetworkAndItsOutputIsKept() throws Exception {
    Deployment d =
        fx.deploy(
            "python",
            "[deploy]\n"
                + "build = \"echo built-$(id -u) > VERSION\"\n"
                + "run = \"/usr/bin/python3 app.py\"\n",
            Map.of("VERSION", "source"));
    HttpResponse<String> r = fx.get(d.id(), "/");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).startsWith("version built-");
  }
}
