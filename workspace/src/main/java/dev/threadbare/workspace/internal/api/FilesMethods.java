package dev.threadbare.workspace.internal.api;

import static dev.threadbare.workspace.internal.api.ApiSupport.checkLength;
import static dev.threadbare.workspace.internal.api.ApiSupport.jsonArray;
import static dev.threadbare.workspace.internal.api.ApiSupport.nextCursor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.StoredFile;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code files.*} methods and their routes: the upload URL that {@code
 * files.getUploadURLExternal} hands out, and {@code url_private} downloads (bearer token or web UI
 * session). Thread-safe.
 */
final class FilesMethods {

  private final ApiSupport support;
  private final WorkspaceStore store;
  private final Shapes shapes;
  private final ChatMethods chat;
  private final Function<String, Optional<WebApi.Auth>> authenticate;

  FilesMethods(
      ApiSupport support, ChatMethods chat, Function<String, Optional<WebApi.Auth>> authenticate) {
    this.support = support;
    this.store = support.store();
    this.shapes = support.shapes();
    this.chat = chat;
    this.authenticate = authenticate;
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("files.getUploadURLExternal", this::filesGetUploadUrlExternal);
    methods.put("files.completeUploadExternal", this::filesCompleteUploadExternal);
    methods.put("files.info", this::filesInfo);
  }

  /** Mounts the upload URL and the {@code url_private} downloads on {@code app}. */
  void register(Javalin app) {
    app.post("/upload/v1/{file}", this::upload);
    app.get("/files-pri/{teamFile}/{name}", ctx -> download(ctx, false));
    app.get("/files-pri/{teamFile}/download/{name}", ctx -> download(ctx, true));
  }

  private ObjectNode filesGetUploadUrlExternal(ApiCall call) {
    String filename = call.required("filename");
    String length = call.required("length");
    long size;
    try {
      size = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS,
          "`length` is `" + length + "`: it must be the file's size in bytes");
    }
    if (size < 0) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`length` is " + size + ": it must not be negative");
    }
    String[] type = FileTypes.of(filename, new byte[0]);
    StoredFile file = store.createFile(call.caller().id(), filename, type[1], type[0], size);
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("upload_url", call.origin() + "/upload/v1/" + file.id());
    out.put("file_id", file.id());
    return out;
  }

  private void upload(Context ctx) throws IOException {
    String fileId = ctx.pathParam("file");
    Optional<StoredFile> file = store.file(fileId).filter(f -> !f.completed());
    if (file.isEmpty()) {
      ctx.status(404).contentType("text/plain").result("unknown or completed upload " + fileId);
      return;
    }
    byte[] content;
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (type.startsWith("multipart/form-data")) {
      List<UploadedFile> files = ctx.uploadedFiles();
      if (files.isEmpty()) {
        ctx.status(400).contentType("text/plain").result("multipart upload without a file part");
        return;
      }
      try (InputStream in = files.get(0).content()) {
        content = in.readAllBytes();
      }
    } else {
      content = ctx.bodyAsBytes();
    }
    String[] kind = FileTypes.of(file.get().name(), content);
    store.putFileContent(fileId, content, kind[0], kind[1]);
    ctx.status(200).contentType("text/plain").result("OK - " + content.length);
  }

  private ObjectNode filesCompleteUploadExternal(ApiCall call) {
    String filesParam = call.required("files");
    JsonNode entries;
    try {
      entries = Shapes.JSON.readTree(filesParam);
    } catch (JsonProcessingException e) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`files` is not JSON: " + e.getOriginalMessage());
    }
    if (!entries.isArray() || entries.isEmpty()) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`files` must be a JSON array of {\"id\":…,\"title\":…}");
    }
    Channel channel = null;
    String channelRef =
        call.param("channel_id") != null
            ? "channel_id"
            : call.param("channels") != null ? "channels" : null;
    if (channelRef != null) {
      channel = support.visibleChannel(call, channelRef);
      support.requireMember(call, channel);
    }
    checkLength(call.param("initial_comment"));
    List<StoredFile> files = new ArrayList<>();
    for (JsonNode entry : entries) {
      String id = entry.path("id").asText("");
      StoredFile file =
          store
              .file(id)
              .filter(f -> f.user().equals(call.caller().id()))
              .orElseThrow(
                  () ->
                      new ApiError(
                          SlackError.FILE_NOT_FOUND, "no upload `" + id + "` by the caller"));
      if (store.fileContent(id).isEmpty()) {
        throw new ApiError(
            SlackError.FILE_NOT_FOUND, "file " + id + " was never uploaded to its upload_url");
      }
      files.add(file);
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      StoredFile file = files.get(i);
      String title = entries.get(i).path("title").asText("");
      store.completeFile(file.id(), title.isEmpty() ? file.name() : title);
      ids.add(file.id());
    }
    if (channel != null) {
      chat.post(
          call,
          channel,
          call.param("initial_comment"),
          jsonArray(call, "blocks"),
          null,
          null,
          call.param("thread_ts"),
          false,
          "file_share",
          String.join(",", ids));
    }
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode list = out.putArray("files");
    for (String id : ids) {
      list.add(shapes.file(store.file(id).orElseThrow(), call.origin()));
    }
    return out;
  }

  private boolean canSee(User user, StoredFile file) {
    if (file.user().equals(user.id())) {
      return true;
    }
    for (Map.Entry<String, String> share : store.fileShares(file.id())) {
      Optional<Channel> channel = store.channel(share.getKey());
      if (channel.isPresent()
          && (!channel.get().isPrivate() || store.isMember(channel.get().id(), user.id()))) {
        return true;
      }
    }
    return false;
  }

  private ObjectNode filesInfo(ApiCall call) {
    String id = call.param("file");
    StoredFile file =
        store
            .file(id == null ? "" : id)
            .filter(StoredFile::completed)
            .filter(f -> canSee(call.caller(), f))
            .orElseThrow(
                () ->
                    new ApiError(
                        SlackError.FILE_NOT_FOUND, "no file `" + id + "` visible to the caller"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("file", shapes.file(file, call.origin()));
    out.putArray("comments");
    nextCursor(out, null);
    return out;
  }

  private void download(Context ctx, boolean attachment) {
    String token = WebApi.bearer(ctx);
    if (token == null) {
      token = ctx.cookie(WebApi.SESSION_COOKIE);
    }
    Optional<WebApi.Auth> auth = authenticate.apply(token);
    if (auth.isEmpty()) {
      ctx.status(401)
          .contentType("text/plain")
          .result("sign in, or send `Authorization: Bearer xox…`");
      return;
    }
    String teamFile = ctx.pathParam("teamFile");
    String fileId = teamFile.substring(teamFile.lastIndexOf('-') + 1);
    Optional<StoredFile> file =
        store.file(fileId).filter(StoredFile::completed).filter(f -> canSee(auth.get().user(), f));
    Optional<byte[]> content = file.flatMap(f -> store.fileContent(f.id()));
    if (content.isEmpty()) {
      ctx.status(404).contentType("text/plain").result("no file " + teamFile);
      return;
    }
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Content-Security-Policy", "sandbox");
    if (attachment) {
      ctx.header(
          "Content-Disposition",
          "attachment; filename=\"" + file.get().name().replace("\"", "") + "\"");
    }
    String mime = file.get().mimetype();
    ctx.contentType(
        FileTypes.isText(mime) && !mime.contains("charset") ? mime + "; charset=utf-8" : mime);
    ctx.result(content.get());
  }
}
