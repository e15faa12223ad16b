package dev.threadbare.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Events API receiver for tests: verifies every request's v0 signature itself, records it, and
 * answers as its {@code behaviour} says (200, 500, or late).
 */
final class Receiver implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One received request. */
  record Delivery(
      Map<String, String> headers,
      String body,
      JsonNode json,
      boolean signatureValid,
      long receivedNanos) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** What to do with a request: an HTTP status, after an optional delay. */
  record Answer(int status, Duration delay) {
    static Answer ok() {
      return new Answer(200, Duration.ZERO);
    }
  }

  final String secret;
  final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
  volatile Function<Delivery, Answer> behaviour = d -> Answer.ok();
  private final HttpServer server;

  Receiver(String secret) throws IOException {
    this.secret = secret;
    server =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/slack/events", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/slack/events";
  }

  private void handle(HttpExchange exchange) throws IOException {
    long now = System.nanoTime();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
    String timestamp = headers.getOrDefault("x-slack-request-timestamp", "");
    boolean valid =
        Math.abs(
                    System.currentTimeMillis() / 1000
                        - Long.parseLong(timestamp.isEmpty() ? "0" : timestamp))
                < 300
            && ("v0=" + hmac(secret, "v0:" + timestamp + ":" + body))
                .equals(headers.get("x-slack-signature"));
    JsonNode json = JSON.readTree(body);
    Delivery delivery = new Delivery(headers, body, json, valid, now);
    deliveries.add(delivery);
    byte[] response;
    int status;
    if (json.path("type").asText().equals("url_verification")) {
      status = 200;
      response = json.path("challenge").asText().getBytes(StandardCharsets.UTF_8);
    } else {
      Answer answer = behaviour.apply(delivery);
      if (!answer.delay().isZero()) {
        try {
          Thread.sleep(answer.delay());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      status = answer.status();
      response = new byte[0];
    }
    try {
      exchange.sendResponseHeaders(status, response.length == 0 ? -1 : response.length);
      if (response.length > 0) {
        exchange.getResponseBody().write(response);
      }
    } catch (IOException closedByClient) {
      // the workspace gave up waiting (timeout): nothing to answer
    }
    exchange.close();
  }

  static String hmac(String secret, String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next delivery of an event of {@code type} (and {@code subtype}, if not null). */
  Delivery next(String type, String subtype) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Delivery d = deliveries.poll(100, TimeUnit.MILLISECONDS);
      if (d != null
          && d.json().path("event").path("type").asText().equals(type)
          && (subtype == null || d.json().path("event").path("subtype").asText().equals(subtype))) {
        return d;
      }
    }
    throw new AssertionError("no " + type + "/" + subtype + " event within 10 s");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
