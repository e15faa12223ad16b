package dev.threadbare.gitserve.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.gitserve.Conversation;
import dev.threadbare.gitserve.Conversations;
import dev.threadbare.gitserve.ServedChannel;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.BundleWriter;

/**
 * The code browser's JSON twin ({@code /api/v1/channels/<channel>/…}) and the bundle download.
 * Access is checked before a method is asked for ({@link ChannelRequests}). Thread safe.
 */
final class CodeApi {
  private final ObjectMapper json = new ObjectMapper();
  private final Blames blames;
  private final ChatLinks links;
  private final Conversations conversations;

  CodeApi(Blames blames, ChatLinks links, Conversations conversations) {
    this.blames = blames;
    this.links = links;
    this.conversations = conversations;
  }

  /**
   * The conversation that wrote a version ({@code rev}): the thread around its message, who said
   * what, with reactions; the message itself is marked {@code focus}.
   */
  void conversation(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    Version version = Version.of(view.commit());
    if (conversations == null) {
      throw new BrowseException("this server does not read conversations from the chat");
    }
    String ts = ChatLinks.tsOf(version.permalink());
    if (ts == null) {
      throw new BrowseException(
          "version `" + version.shortId() + "` names no chat message (no Chat-Message trailer)");
    }
    Optional<Conversation> found = conversations.around(channel.id(), ts, version.threadTs());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", versionJson(version));
    out.put("messageTs", ts);
    out.put("threadTs", found.map(Conversation::threadTs).orElse(version.threadTs()));
    out.put("found", found.isPresent());
    List<Map<String, Object>> messages = new ArrayList<>();
    for (Conversation.Message message : found.map(Conversation::messages).orElse(List.of())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ts", message.ts());
      m.put("user", message.userId());
      m.put("name", message.userName());
      m.put("text", message.text());
      m.put("edited", message.edited());
      m.put("focus", message.ts().equals(ts));
      m.put(
          "reactions",
          message.reactions().stream()
              .map(
                  r -> {
                    Map<String, Object> reaction = new LinkedHashMap<>();
                    reaction.put("name", r.name());
                    reaction.put("count", r.count());
                    reaction.put("users", r.userNames());
                    return reaction;
                  })
              .toList());
      messages.add(m);
    }
    out.put("messages", messages);
    send(ctx, out);
  }

  private void send(Context ctx, Object value) throws IOException {
    ctx.contentType("application/json").result(json.writeValueAsString(value));
  }

  void bundle(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    Repository repository = reader.repository();
    BundleWriter writer = new BundleWriter(repository);
    int refs = 0;
    for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
      if (ref.getObjectId() != null) {
        writer.include(ref);
        refs++;
      }
    }
    if (refs == 0) {
      throw new BrowseException("channel `" + channel.name() + "` has no versions yet");
    }
    Ref head = repository.exactRef(Constants.HEAD);
    if (head != null && head.getObjectId() != null) {
      writer.include(Constants.HEAD, head.getObjectId());
    }
    ctx.contentType("application/x-git-bundle");
    ctx.header("Content-Disposition", "attachment; filename=\"" + channel.name() + ".bundle\"");
    writer.writeBundle(org.eclipse.jgit.lib.NullProgressMonitor.INSTANCE, ctx.outputStream());
  }

  void branches(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    send(ctx, reader.branches());
  }

  void tree(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    send(
        ctx,
        Map.of(
            "commit", view.commit().name(),
            "path", view.path(),
            "entries", reader.tree(view.commit(), view.path())));
  }

  void blob(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    RepoReader.Blob blob = reader.blob(view.commit(), view.path());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commit", view.commit().name());
    out.put("path", blob.path());
    out.put("size", blob.size());
    out.put("binary", blob.text() == null);
    out.put("text", blob.text());
    send(ctx, out);
  }

  void log(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    send(
        ctx,
        reader.log(view.commit(), view.path(), CodePages.LOG_LIMIT).stream()
            .map(this::versionJson)
            .toList());
  }

  void blame(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    send(
        ctx,
        blames.blame(ctx, reader, view.commit(), view.path()).stream()
            .map(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("line", l.number());
                  m.put("text", l.text());
                  m.put("sourceLine", l.sourceLine());
                  m.put("version", versionJson(l.version()));
                  return m;
                })
            .toList());
  }

  void line(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    send(
        ctx,
        reader.lineHistory(view.commit(), view.path(), CodePages.lineNumber(ctx)).stream()
            .map(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("line", l.number());
                  m.put("text", l.text());
                  m.put("version", versionJson(l.version()));
                  return m;
                })
            .toList());
  }

  void diff(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    String to = ctx.queryParam("to");
    RevCommit toCommit = reader.commit(to == null || to.isBlank() ? reader.defaultBranch() : to);
    String from = ctx.queryParam("from");
    RevCommit fromCommit =
        from == null || from.isBlank() ? reader.parent(toCommit) : reader.commit(from);
    send(ctx, reader.diff(fromCommit, toCommit, ctx.queryParam("path")));
  }

  private Map<String, Object> versionJson(Version v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("author", v.authorName());
    m.put("user", v.userId());
    m.put("time", v.time().toString());
    m.put("subject", v.subject());
    m.put("permalink", v.permalink());
    m.put("threadTs", v.threadTs());
    m.put("threadPermalink", v.threadPermalink());
    m.put("messageUrl", links.message(v.permalink()));
    m.put("threadUrl", links.message(v.threadPermalink()));
    return m;
  }
}
