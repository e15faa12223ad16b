package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import io.javalin.Javalin;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Web API body over the server's limit is answered with Slack's JSON error, not a bare 413. */
class RequestSizeTest {

  @TempDir Path dir;

  @Test
  void aSixtyMegabyteBodyGetsSlacksJsonError() throws Exception {
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      // the limit `threadbare serve` uses
      Javalin app =
          Javalin.create(
              config -> {
                config.showJavalinBanner = false;
                config.http.maxRequestSize = 16L * 1024 * 1024;
              });
      workspace.register(app);
      app.start("127.0.0.1", 0);
      try {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix("http://127.0.0.1:" + app.port() + "/api/");
        MethodsClient bot = Slack.getInstance(config).methods(workspace.botToken());
        String text = "x".repeat(60 * 1024 * 1024);
        ChatPostMessageResponse response =
            bot.chatPostMessage(r -> r.channel("general").text(text));
        assertThat(response.isOk()).isFalse();
        assertThat(response.getError()).isEqualTo("request_too_large");
        assertThat(response.getResponseMetadata().getMessages())
            .singleElement()
            .asString()
            .contains("over this server's limit")
            .contains("files.getUploadURLExternal");
      } finally {
        app.stop();
      }
    }
  }
}
