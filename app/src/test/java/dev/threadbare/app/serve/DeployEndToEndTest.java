package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.deploy.Deployment;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person posts a small Python app through the local workspace; serve deploys it in the sandbox
 * and curl requests it at {@code http://<uuid>.localhost:<port>/}: it reads and writes its own
 * database through {@code DATABASE_URL} (psycopg2 over the wire port), and is refused past its
 * {@code [db] preview_limit} while its reads keep working; {@code threadbare deploys} lists it.
 */
class DeployEndToEndTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static String general;

  @BeforeAll
  static void start() throws Exception {
    // The sandbox runs deployments as nobody: their directory's ancestors must be traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")).withDbPort(0));
    server = serve.server();
    person = serve.person();
    general = serve.general();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void aPostedAppIsDeployedWithItsOwnCappedDatabase() throws Exception {
    String app = Files.readString(Path.of("src/test/resources/deploy-apps/notes/app.py"));
    String text =
        "notes app\n`app.py`\n```\n"
            + app
            + "```\n`VERSION`\n```\nfirst\n```\n`threadbare.toml`\n```\n"
            + "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n[db]\npreview_limit = \"2MB\"\n```";
    ChatPostMessageResponse posted = person.chatPostMessage(r -> r.channel(general).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();

    Deployment d = eventuallyDeployed();
    String port = Integer.toString(URI.create(server.url()).getPort());
    String base = "http://" + d.id() + ".localhost:" + port;
    assertThat(curl(base + "/")).isEqualTo("version first");
    assertThat(curl("-X", "POST", "--data-binary", "hello from chat", base + "/notes"))
        .isEqualTo("stored");
    assertThat(curl(base + "/notes")).isEqualTo("hello from chat");

    String refused = curl(base + "/fill");
    assertThat(refused)
        .startsWith("refused 53100")
        .contains("size limit of 2097152 bytes")
        .contains("nothing stored was lost");
    assertThat(Integer.parseInt(curl(base + "/count"))).isPositive();
    assertThat(curl(base + "/notes")).isEqualTo("hello from chat");

    String listed =
        lastLine("deploys", "--data", dir.resolve("data").toString(), "--channel", "general");
    assertThat(listed)
        .isEqualTo(
            d.id() + " " + d.commit() + " running http://" + d.id() + ".localhost:" + port + "/");
  }

  private static Deployment eventuallyDeployed() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      List<Deployment> all = server.deployer().list(general);
      if (!all.isEmpty()) {
        return all.get(0);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no deployment of the posted app within 30 s");
  }

  /** curl resolves *.localhost to loopback by itself, as browsers do. */
  private static String curl(String... args) throws IOException, InterruptedException {
    return ServeFixture.curl(args);
  }

  private static String lastLine(String... args) {
    return ServeFixture.cliLastLine(args);
  }
}
