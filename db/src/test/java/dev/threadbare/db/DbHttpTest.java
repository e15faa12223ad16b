package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  DbLayer layer;
  Javalin app;
  Credentials prod;
  Credentials preview;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    layer = DbLayer.duckDb(dir);
    prod = layer.addCredentials("prod", "v1");
    preview = layer.addCredentials("preview-7", "v2");
    app = Javalin.create();
    DbHttp.register(app, layer);
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    layer.close();
  }

  HttpResponse<String> post(String database, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/db/" + database + "/sql"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String database, String what, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/db/" + database + "/" + what))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void runsStatementsWithParametersAndAnswersRows() throws Exception {
    HttpResponse<String> insert =
        post(
            "prod",
            prod.bearerToken(),
            "{\"sql\":\"INSERT INTO notes (id, body) VALUES ($1, $2)\",\"params\":[1,\"hello\"]}");
    assertThat(insert.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(insert.body()).get("command").asText()).isEqualTo("INSERT 0 1");
    HttpResponse<String> select =
        post(
            "prod",
            prod.bearerToken(),
            "{\"sql\":\"SELECT id, body FROM notes WHERE id = $1\",\"params\":[1]}");
    JsonNode answer = JSON.readTree(select.body());
    assertThat(select.statusCode()).isEqualTo(200);
    assertThat(answer.get("columns").toString())
        .isEqualTo("[{\"name\":\"id\",\"typeOid\":20},{\"name\":\"body\",\"typeOid\":25}]");
    assertThat(answer.get("rows").toString()).isEqualTo("[[1,\"hello\"]]");
    assertThat(answer.get("command").asText()).isEqualTo("SELECT 1");
  }

  @Test
  void refusalsAreFourHundredWithTheSqlState() throws Exception {
    HttpResponse<String> r = post("prod", prod.bearerToken(), "{\"sql\":\"SELECT * FROM notes\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("sqlstate").asText()).isEqualTo("0A000");
    assertThat(error.get("message").asText()).contains("no-select-star");
    assertThat(post("prod", prod.bearerToken(), "not json").statusCode()).isEqualTo(400);
  }

  @Test
  void aFailedScriptAnswersTheResultsBeforeTheFailureNextToTheError() throws Exception {
    post(
        "prod",
        prod.bearerToken(),
        "{\"sql\":\"INSERT INTO ledger (id, amount) VALUES (1, 100)\"}");
    HttpResponse<String> r =
        post(
            "prod",
            prod.bearerToken(),
            "{\"sql\":\"UPDATE ledger SET amount = 50 WHERE id = 1;"
                + " SELECT id, amount FROM ledger; SELECT * FROM ledger; SELECT 1 AS never\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode answer = JSON.readTree(r.body());
    // the error object as before
    assertThat(answer.get("error").get("sqlstate").asText()).isEqualTo("0A000");
    assertThat(answer.get("error").get("message").asText()).contains("no-select-star");
    // then the statements before it, each in the success shape
    JsonNode completed = answer.get("completedResults");
    assertThat(completed).hasSize(2);
    assertThat(completed.get(0).get("command").asText()).isEqualTo("UPDATE 1");
    assertThat(completed.get(0).get("rows").toString()).isEqualTo("[]");
    assertThat(completed.get(1).get("command").asText()).isEqualTo("SELECT 1");
    assertThat(completed.get(1).get("columns").toString())
        .isEqualTo("[{\"name\":\"id\",\"typeOid\":20},{\"name\":\"amount\",\"typeOid\":20}]");
    assertThat(completed.get(1).get("rows").toString()).isEqualTo("[[1,50]]");
    // the script was one transaction: the UPDATE it reports was rolled back
    HttpResponse<String> after =
        post("prod", prod.bearerToken(), "{\"sql\":\"SELECT amount FROM ledger\"}");
    assertThat(JSON.readTree(after.body()).get("rows").toString()).isEqualTo("[[100]]");

    // a lone statement's failure has nothing before it
    HttpResponse<String> lone =
        post("prod", prod.bearerToken(), "{\"sql\":\"SELECT * FROM ledger\"}");
    assertThat(JSON.readTree(lone.body()).get("completedResults").toString()).isEqualTo("[]");
    // a malformed request has no statements: the error alone
    assertThat(
            JSON.readTree(post("prod", prod.bearerToken(), "not json").body())
                .has("completedResults"))
        .isFalse();
  }

  @Test
  void tokensReachOnlyTheirDatabase() throws Exception {
    String body = "{\"sql\":\"SELECT 1 AS one\"}";
    assertThat(post("prod", null, body).statusCode()).isEqualTo(401);
    assertThat(post("prod", "tbdb_wrong", body).statusCode()).isEqualTo(401);
    HttpResponse<String> other = post("prod", preview.bearerToken(), body);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("only its own database");
    assertThat(post("preview-7", preview.bearerToken(), body).statusCode()).isEqualTo(200);
    assertThat(get("prod", "describe", preview.bearerToken()).statusCode()).isEqualTo(403);
  }

  @Test
  void describeAndGcReportOverHttp() throws Exception {
    post("prod", prod.bearerToken(), "{\"sql\":\"INSERT INTO notes (id, body) VALUES (1, 'x')\"}");
    post("prod", prod.bearerToken(), "{\"sql\":\"SELECT body FROM notes WHERE id = 1\"}");
    layer.awaitBackgroundWork();
    JsonNode describe = JSON.readTree(get("prod", "describe", prod.bearerToken()).body());
    assertThat(describe.get("tables").get(0).get("name").asText()).isEqualTo("notes");
    assertThat(describe.get("tables").get(0).get("columns").get(0).get("createdBy").asText())
        .isEqualTo("v1");
    assertThat(describe.get("indexes").get(0).get("column").asText()).isEqualTo("id");
    JsonNode gc = JSON.readTree(get("prod", "gc-report", prod.bearerToken()).body());
    assertThat(gc.get("columns")).hasSize(2);
    assertThat(gc.get("columns").get(0).get("heldBy").get(0).get("version").asText())
        .isEqualTo("v1");
    assertThat(gc.get("columns").get(0).get("collectible").asBoolean()).isFalse();
  }
}
