package dev.threadbare.chat.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.chat.ChatException;
import dev.threadbare.chat.bot.BotReplies;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.core.grammar.Content;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the files shared in newly journaled messages ({@code url_private}, with the bot token)
 * and turns each accepted one into a {@link EntryKind#FILE_CONTENT} entry (DESIGN.md section 2:
 * UTF-8 text, CSV and SVG). Other files are refused: the sender is told privately why and the
 * message gets ❌. Used as the {@code EventIntake}'s enrichment step, so it runs after the ack.
 *
 * <p>Thread safe; holds an HTTP client for its lifetime.
 */
public final class FileDownloader implements UnaryOperator<List<JournalEntry>> {

  /** Largest file taken by default: 1 MiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(FileDownloader.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TEXT_MIMETYPES =
      Set.of(
          "application/json",
          "application/xml",
          "application/javascript",
          "application/x-javascript",
          "application/typescript",
          "application/x-yaml",
          "application/yaml",
          "application/toml",
          "application/sql",
          "application/x-sh",
          "application/x-python",
          "application/csv",
          "image/svg+xml");

  private final String botToken;
  private final long maxBytes;
  private final Outbox outbox;
  private final HttpClient http;

  private FileDownloader(String botToken, long maxBytes, Outbox outbox) {
    this.botToken = botToken;
    this.maxBytes = maxBytes;
    this.outbox = outbox;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * A downloader authenticating with {@code botToken}, taking files up to {@code maxBytes}, telling
   * senders about refused files through {@code outbox} (null: refusals are only logged).
   */
  public static FileDownloader create(String botToken, long maxBytes, Outbox outbox) {
    Objects.requireNonNull(botToken, "botToken");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes " + maxBytes + " must be positive");
    }
    return new FileDownloader(botToken, maxBytes, outbox);
  }

  /** The file-content entries for the files shared in {@code entries}' messages. */
  @Override
  public List<JournalEntry> apply(List<JournalEntry> entries) {
    List<JournalEntry> contents = new ArrayList<>();
    for (JournalEntry entry : entries) {
      if (entry.kind() != EntryKind.MESSAGE) {
        continue;
      }
      JsonNode message;
      try {
        message = JSON.readTree(entry.payload());
      } catch (JsonProcessingException e) {
        continue;
      }
      for (JsonNode file : message.path("files")) {
        try {
          contents.add(download(entry, file));
        } catch (FileRefusedException e) {
          refuse(entry, file, e.getMessage());
        }
      }
    }
    return contents;
  }

  private JournalEntry download(JournalEntry entry, JsonNode file) {
    String id = file.path("id").asText("");
    String name = file.path("name").asText("");
    String mimetype = file.path("mimetype").asText("");
    String label = name.isEmpty() ? id : name;
    if (id.isEmpty()) {
      throw new FileRefusedException(BotReplies.fileWithoutId());
    }
    if (!acceptedType(mimetype, file.path("mode").asText(""))) {
      throw new FileRefusedException(BotReplies.fileTypeNotTaken(label, mimetype));
    }
    long size = file.path("size").asLong(0);
    if (size > maxBytes) {
      throw new FileRefusedException(BotReplies.fileTooLarge(label, size, maxBytes));
    }
    String url = file.path("url_private_download").asText(file.path("url_private").asText(""));
    if (url.isEmpty()) {
      throw new FileRefusedException(BotReplies.fileWithoutUrl(label));
    }
    byte[] content = fetch(url, label);
    if (Content.utf8(content) == null) {
      throw new FileRefusedException(BotReplies.fileNotUtf8(label));
    }
    ObjectNode payload = JSON.createObjectNode();
    payload.put("id", id);
    payload.put("name", name);
    payload.put("title", file.path("title").asText(""));
    payload.put("mimetype", mimetype);
    payload.put("content_base64", Base64.getEncoder().encodeToString(content));
    return new JournalEntry(
        0,
        entry.team(),
        entry.channel(),
        entry.ts(),
        EntryKind.FILE_CONTENT,
        id,
        entry.threadTs(),
        entry.user(),
        entry.eventTime(),
        payload.toString());
  }

  private byte[] fetch(String url, String label) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + botToken)
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      throw new FileRefusedException(BotReplies.fileUrlMalformed(label, url));
    }
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new FileRefusedException(
              BotReplies.fileDownloadRefused(label, response.statusCode()));
        }
        byte[] content = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (content.length > maxBytes) {
          throw new FileRefusedException(BotReplies.fileTooLarge(label, content.length, maxBytes));
        }
        return content;
      }
    } catch (IOException e) {
      throw new FileRefusedException(BotReplies.fileDownloadFailed(label, e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FileRefusedException(BotReplies.fileDownloadInterrupted(label));
    }
  }

  static boolean acceptedType(String mimetype, String mode) {
    String type = mimetype.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    if (semicolon >= 0) {
      type = type.substring(0, semicolon).trim();
    }
    return type.startsWith("text/")
        || TEXT_MIMETYPES.contains(type)
        || type.endsWith("+json")
        || type.endsWith("+xml")
        || "snippet".equals(mode);
  }

  private void refuse(JournalEntry entry, JsonNode file, String reason) {
    LOG.info("refused a file in {}/{}: {}", entry.channel(), entry.ts(), reason);
    if (outbox == null) {
      return;
    }
    String key =
        entry.team() + ":" + entry.channel() + ":" + entry.ts() + ":" + file.path("id").asText();
    outbox.enqueue(OutgoingCall.AddReaction.to(entry, BotReplies.REFUSED));
    if (entry.user() != null) {
      outbox.enqueue(
          new OutgoingCall.PostEphemeral(
              "filerefused:" + key, entry.channel(), entry.user(), entry.threadTs(), reason));
    }
  }

  /** Why a shared file does not become a repository file. */
  private static final class FileRefusedException extends ChatException {
    private static final long serialVersionUID = 1L;

    FileRefusedException(String message) {
      super(message);
    }
  }
}
