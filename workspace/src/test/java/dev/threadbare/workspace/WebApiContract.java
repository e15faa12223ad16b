package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsHistoryResponse;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.methods.response.files.FilesUploadV2Response;
import com.slack.api.methods.response.users.UsersListResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.ConversationType;
import com.slack.api.model.Message;
import com.slack.api.model.User;
import com.slack.api.model.block.RichTextBlock;
import com.slack.api.model.block.element.RichTextPreformattedElement;
import com.slack.api.model.block.element.RichTextSectionElement;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slack Java SDK's MethodsClient against a running local workspace; run on SQLite ({@link
 * WebApiTest}) and on PostgreSQL ({@link WebApiPostgresTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebApiContract {

  @TempDir static Path dir;
  TestWorkspace ws;
  String adaToken;
  String bobToken;
  MethodsClient ada;
  MethodsClient bob;
  MethodsClient bot;
  String adaId;
  String bobId;

  /** The workspace under test, on the database the subclass is about. */
  abstract LocalWorkspace openWorkspace(Path dir);

  @BeforeAll
  void start() throws Exception {
    ws = new TestWorkspace(openWorkspace(dir));
    ws.workspace.setRateLimits(RateLimits.unlimited());
    adaToken = ws.workspace.addUser("ada", false);
    bobToken = ws.workspace.addUser("bob", false);
    ada = ws.methods(adaToken);
    bob = ws.methods(bobToken);
    bot = ws.bot();
    adaId = ada.authTest(r -> r).getUserId();
    bobId = bob.authTest(r -> r).getUserId();
  }

  @AfterAll
  void stop() {
    ws.close();
  }

  private Conversation channel(MethodsClient who, String name, boolean isPrivate) throws Exception {
    var created = who.conversationsCreate(r -> r.name(name).isPrivate(isPrivate));
    assertThat(created.isOk()).as(created.getError()).isTrue();
    return created.getChannel();
  }

  @Test
  void authTestIdentifiesTheBotAndPeople() throws Exception {
    var botAuth = bot.authTest(r -> r);
    assertThat(botAuth.isOk()).isTrue();
    assertThat(botAuth.getUserId()).isEqualTo(ws.workspace.botUserId());
    assertThat(botAuth.getBotId()).startsWith("B");
    assertThat(botAuth.getTeamId()).isEqualTo(ws.workspace.teamId());
    assertThat(botAuth.getUrl()).isEqualTo(ws.base() + "/");
    var adaAuth = ada.authTest(r -> r);
    assertThat(adaAuth.getUser()).isEqualTo("ada");
    assertThat(adaAuth.getBotId()).isNull();
  }

  @Test
  void missingAndWrongTokensAreRefusedAsSlackDoes() throws Exception {
    assertThat(TestWorkspace.json(ws.raw("auth.test", null, "")).path("error").asText())
        .isEqualTo("not_authed");
    assertThat(ws.methods("xoxb-nope").authTest(r -> r).getError()).isEqualTo("invalid_auth");
    JsonNode viaParam = TestWorkspace.json(ws.raw("auth.test", null, "token=" + adaToken));
    assertThat(viaParam.path("ok").asBoolean()).isTrue();
    assertThat(viaParam.path("user_id").asText()).isEqualTo(adaId);
  }

  @Test
  void unknownMethodsAreNamed() throws Exception {
    JsonNode body = TestWorkspace.json(ws.raw("chat.teleport", adaToken, ""));
    assertThat(body.path("ok").asBoolean()).isFalse();
    assertThat(body.path("error").asText()).isEqualTo("unknown_method");
    assertThat(body.path("req_method").asText()).isEqualTo("chat.teleport");
  }

  @Test
  void jsonBodiesWorkLikeForms() throws Exception {
    Conversation c = channel(ada, "json-bodies", false);
    HttpResponse<String> response =
        ws.http.send(
            HttpRequest.newBuilder(URI.create(ws.base() + "/api/chat.postMessage"))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Authorization", "Bearer " + adaToken)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"channel\":\"" + c.getId() + "\",\"text\":\"from json\"}",
                        StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    JsonNode body = TestWorkspace.json(response);
    assertThat(body.path("ok").asBoolean()).as(response.body()).isTrue();
    assertThat(body.path("message").path("text").asText()).isEqualTo("from json");
  }

  @Test
  void metadataIsKeptAndShownOnlyWithIncludeAllMetadata() throws Exception {
    Conversation c = channel(ada, "with-metadata", false);
    Message.Metadata sent =
        new Message.Metadata("threadbare_outbox", Map.of("key", "diff:42", "n", "one"));
    ChatPostMessageResponse posted =
        bot.chatPostMessage(r -> r.channel(c.getId()).text("a diff").metadata(sent));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    assertThat(posted.getMessage().getMetadata()).isEqualTo(sent);
    String rootTs = posted.getTs();
    ChatPostMessageResponse reply =
        bot.chatPostMessage(
            r ->
                r.channel(c.getId())
                    .threadTs(rootTs)
                    .text("in thread")
                    .metadata(new Message.Metadata("threadbare_outbox", Map.of("key", "r:1"))));
    assertThat(reply.isOk()).as(reply.getError()).isTrue();
    bot.chatPostMessage(r -> r.channel(c.getId()).text("plain"));

    List<Message> withMeta =
        ada.conversationsHistory(r -> r.channel(c.getId()).includeAllMetadata(true)).getMessages();
    assertThat(withMeta).extracting(Message::getText).containsExactly("plain", "a diff");
    assertThat(withMeta.get(0).getMetadata()).isNull();
    assertThat(withMeta.get(1).getMetadata()).isEqualTo(sent);
    assertThat(ada.conversationsHistory(r -> r.channel(c.getId())).getMessages())
        .extracting(Message::getMetadata)
        .containsOnlyNulls();
    List<Message> thread =
        ada.conversationsReplies(r -> r.channel(c.getId()).ts(rootTs).includeAllMetadata(true))
            .getMessages();
    assertThat(thread)
        .extracting(m -> m.getMetadata().getEventPayload().get("key"))
        .containsExactly("diff:42", "r:1");
    assertThat(ada.conversationsReplies(r -> r.channel(c.getId()).ts(rootTs)).getMessages())
        .extracting(Message::getMetadata)
        .containsOnlyNulls();

    // chat.update replaces metadata when given and keeps it when not
    var kept = bot.chatUpdate(r -> r.channel(c.getId()).ts(rootTs).text("a diff, edited"));
    assertThat(kept.isOk()).as(kept.getError()).isTrue();
    assertThat(kept.getMessage().getMetadata()).isEqualTo(sent);
    Message.Metadata replaced = new Message.Metadata("threadbare_outbox", Map.of("key", "v2"));
    var changed =
        bot.chatUpdate(r -> r.channel(c.getId()).ts(rootTs).text("v2").metadata(replaced));
    assertThat(changed.isOk()).as(changed.getError()).isTrue();
    assertThat(
            ada.conversationsHistory(r -> r.channel(c.getId()).includeAllMetadata(true))
                .getMessages()
                .get(1)
                .getMetadata())
        .isEqualTo(replaced);
  }

  @Test
  void metadataInJsonBodiesIsAnObjectAndBadShapesAreRefused() throws Exception {
    Conversation c = channel(ada, "metadata-json", false);
    HttpResponse<String> response =
        ws.http.send(
            HttpRequest.newBuilder(URI.create(ws.base() + "/api/chat.postMessage"))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Authorization", "Bearer " + adaToken)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"channel\":\""
                            + c.getId()
                            + "\",\"text\":\"json meta\",\"metadata\":{\"event_type\":"
                            + "\"task_done\",\"event_payload\":{\"id\":7,\"tags\":[\"a\"]}}}",
                        StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    JsonNode body = TestWorkspace.json(response);
    assertThat(body.path("ok").asBoolean()).as(response.body()).isTrue();
    assertThat(body.path("message").path("metadata").toString())
        .isEqualTo("{\"event_type\":\"task_done\",\"event_payload\":{\"id\":7,\"tags\":[\"a\"]}}");
    Message stored =
        ada.conversationsHistory(r -> r.channel(c.getId()).includeAllMetadata(true))
            .getMessages()
            .get(0);
    assertThat(stored.getMetadata().getEventType()).isEqualTo("task_done");
    assertThat(stored.getMetadata().getEventPayload()).containsKeys("id", "tags");

    for (String bad :
        List.of(
            "not json",
            "[1]",
            "{\"event_payload\":{}}",
            "{\"event_type\":\"\",\"event_payload\":{}}",
            "{\"event_type\":3,\"event_payload\":{}}",
            "{\"event_type\":\"t\"}",
            "{\"event_type\":\"t\",\"event_payload\":\"x\"}")) {
      JsonNode refused =
          TestWorkspace.json(
              ws.raw(
                  "chat.postMessage",
                  adaToken,
                  "channel="
                      + c.getId()
                      + "&text=nope&metadata="
                      + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8)));
      assertThat(refused.path("error").asText()).as(bad).isEqualTo("invalid_metadata_format");
    }
    assertThat(ada.conversationsHistory(r -> r.channel(c.getId())).getMessages())
        .as("refused posts store nothing")
        .hasSize(1);
  }

  @Test
  void teamAndUsers() throws Exception {
    var team = ada.teamInfo(r -> r);
    assertThat(team.getTeam().getId()).isEqualTo(ws.workspace.teamId());

    List<String> names = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String current = cursor;
      UsersListResponse page = ada.usersList(r -> r.limit(2).cursor(current));
      assertThat(page.isOk()).isTrue();
      assertThat(page.getMembers()).hasSizeLessThanOrEqualTo(2);
      page.getMembers().forEach(u -> names.add(u.getName()));
      cursor = page.getResponseMetadata().getNextCursor();
      pages++;
    } while (cursor != null && !cursor.isEmpty());
    assertThat(names).contains("ada", "bob", "admin", "threadbare").doesNotHaveDuplicates();
    assertThat(pages).isGreaterThan(1);

    User botUser = ada.usersInfo(r -> r.user(ws.workspace.botUserId())).getUser();
    assertThat(botUser.isBot()).isTrue();
    assertThat(botUser.getProfile().getBotId()).startsWith("B");
    assertThat(ada.usersInfo(r -> r.user("UNOBODY")).getError()).isEqualTo("user_not_found");
  }

  @Test
  void channelsCanBeCreatedListedJoinedAndInvitedTo() throws Exception {
    Conversation open = channel(ada, "open-space", false);
    assertThat(open.getName()).isEqualTo("open-space");
    assertThat(open.isPrivate()).isFalse();
    assertThat(open.isMember()).isTrue();
    Conversation secret = channel(ada, "secret-room", true);
    assertThat(secret.isPrivate()).isTrue();

    assertThat(ada.conversationsCreate(r -> r.name("open-space")).getError())
        .isEqualTo("name_taken");
    assertThat(ada.conversationsCreate(r -> r.name("Bad Name!")).getError())
        .isEqualTo("invalid_name_specials");

    List<String> bobSees =
        names(bob, List.of(ConversationType.PUBLIC_CHANNEL, ConversationType.PRIVATE_CHANNEL));
    assertThat(bobSees).contains("open-space", "general").doesNotContain("secret-room");
    assertThat(names(ada, List.of(ConversationType.PRIVATE_CHANNEL))).contains("secret-room");

    assertThat(bob.conversationsInfo(r -> r.channel(secret.getId())).getError())
        .isEqualTo("channel_not_found");
    assertThat(bob.conversationsJoin(r -> r.channel(secret.getId())).getError())
        .isEqualTo("channel_not_found");
    assertThat(ada.conversationsJoin(r -> r.channel(secret.getId())).getError())
        .isEqualTo("method_not_supported_for_channel_type");

    var joined = bob.conversationsJoin(r -> r.channel(open.getId()));
    assertThat(joined.isOk()).isTrue();
    assertThat(joined.getChannel().isMember()).isTrue();
    assertThat(bob.conversationsJoin(r -> r.channel(open.getId())).getWarning())
        .isEqualTo("already_in_channel");

    assertThat(
            bob.conversationsInvite(r -> r.channel(secret.getId()).users(List.of(bobId)))
                .getError())
        .isEqualTo("channel_not_found");
    assertThat(ada.conversationsInvite(r -> r.channel(secret.getId()).users(List.of(bobId))).isOk())
        .isTrue();
    assertThat(
            ada.conversationsInvite(r -> r.channel(secret.getId()).users(List.of(bobId)))
                .getError())
        .isEqualTo("already_in_channel");
    assertThat(bob.conversationsInfo(r -> r.channel(secret.getId())).getChannel().getName())
        .isEqualTo("secret-room");

    List<String> members = new ArrayList<>();
    String cursor = null;
    do {
      String current = cursor;
      var page = ada.conversationsMembers(r -> r.channel(open.getId()).limit(1).cursor(current));
      members.addAll(page.getMembers());
      cursor = page.getResponseMetadata().getNextCursor();
    } while (cursor != null && !cursor.isEmpty());
    assertThat(members).containsExactlyInAnyOrder(adaId, bobId, ws.workspace.botUserId());
  }

  private List<String> names(MethodsClient who, List<ConversationType> types) throws Exception {
    List<String> names = new ArrayList<>();
    String cursor = null;
    do {
      String current = cursor;
      var page = who.conversationsList(r -> r.types(types).limit(2).cursor(current));
      assertThat(page.isOk()).as(page.getError()).isTrue();
      page.getChannels().forEach(c -> names.add(c.getName()));
      cursor = page.getResponseMetadata().getNextCursor();
    } while (cursor != null && !cursor.isEmpty());
    return names;
  }

  @Test
  void postedCodeIsEscapedInTextAndVerbatimInRichText() throws Exception {
    Conversation c = channel(ada, "code-posts", false);
    String text =
        "`src/app.py`\n```\nif a < b and c > d & e:\n    print(\"<hi>\")\n```\nsee <https://example.com|docs>";
    ChatPostMessageResponse posted = ada.chatPostMessage(r -> r.channel(c.getId()).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    Message message = posted.getMessage();
    assertThat(message.getText())
        .isEqualTo(
            "`src/app.py`\n```\nif a &lt; b and c &gt; d &amp; e:\n    print(\"&lt;hi&gt;\")\n```\nsee <https://example.com|docs>");
    RichTextBlock block = (RichTextBlock) message.getBlocks().get(0);
    RichTextPreformattedElement code =
        block.getElements().stream()
            .filter(RichTextPreformattedElement.class::isInstance)
            .map(RichTextPreformattedElement.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(((RichTextSectionElement.Text) code.getElements().get(0)).getText())
        .isEqualTo("if a < b and c > d & e:\n    print(\"<hi>\")");
    assertThat(posted.getChannel()).isEqualTo(c.getId());
    assertThat(message.getUser()).isEqualTo(adaId);

    Message fromBot = bot.chatPostMessage(r -> r.channel(c.getId()).text("beep")).getMessage();
    assertThat(fromBot.getBotId()).startsWith("B");
    assertThat(fromBot.getUser()).isEqualTo(ws.workspace.botUserId());
  }

  @Test
  void postingIsRefusedWhereSlackRefusesIt() throws Exception {
    Conversation secret = channel(ada, "post-secret", true);
    Conversation open = channel(ada, "post-open", false);
    assertThat(bob.chatPostMessage(r -> r.channel(secret.getId()).text("hi")).getError())
        .isEqualTo("channel_not_found");
    assertThat(bob.chatPostMessage(r -> r.channel(open.getId()).text("hi")).getError())
        .isEqualTo("not_in_channel");
    assertThat(ada.chatPostMessage(r -> r.channel("CNOPE").text("hi")).getError())
        .isEqualTo("channel_not_found");
    assertThat(ada.chatPostMessage(r -> r.channel(open.getId())).getError()).isEqualTo("no_text");
    String limit = "a".repeat(40_000);
    assertThat(ada.chatPostMessage(r -> r.channel(open.getId()).text(limit)).isOk()).isTrue();
    assertThat(ada.chatPostMessage(r -> r.channel(open.getId()).text(limit + "a")).getError())
        .isEqualTo("msg_too_long");
    assertThat(
            ada.chatPostMessage(r -> r.channel(open.getId()).text("x").threadTs("1.000001"))
                .getError())
        .isEqualTo("thread_not_found");
    assertThat(ada.chatPostMessage(r -> r.channel("#post-open").text("by name")).isOk()).isTrue();
  }

  @Test
  void historyPaginatesNewestFirstWithBounds() throws Exception {
    Conversation c = channel(ada, "history", false);
    List<String> ts = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      int n = i;
      ts.add(ada.chatPostMessage(r -> r.channel(c.getId()).text("m" + n)).getTs());
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String current = cursor;
      ConversationsHistoryResponse page =
          ada.conversationsHistory(r -> r.channel(c.getId()).limit(3).cursor(current));
      assertThat(page.isOk()).isTrue();
      page.getMessages().forEach(m -> seen.add(m.getText()));
      assertThat(page.isHasMore()).isEqualTo(pages < 2);
      cursor =
          page.getResponseMetadata() == null ? null : page.getResponseMetadata().getNextCursor();
      pages++;
    } while (cursor != null && !cursor.isEmpty());
    assertThat(seen).containsExactly("m6", "m5", "m4", "m3", "m2", "m1", "m0");

    var exclusive =
        ada.conversationsHistory(r -> r.channel(c.getId()).oldest(ts.get(1)).latest(ts.get(4)));
    assertThat(exclusive.getMessages()).extracting(Message::getText).containsExactly("m3", "m2");
    var inclusive =
        ada.conversationsHistory(
            r -> r.channel(c.getId()).oldest(ts.get(1)).latest(ts.get(4)).inclusive(true));
    assertThat(inclusive.getMessages())
        .extracting(Message::getText)
        .containsExactly("m4", "m3", "m2", "m1");
    assertThat(ada.conversationsHistory(r -> r.channel(c.getId()).oldest("yesterday")).getError())
        .isEqualTo("invalid_ts_oldest");
  }

  @Test
  void threadsRepliesAndBroadcasts() throws Exception {
    Conversation c = channel(ada, "threads", false);
    bob.conversationsJoin(r -> r.channel(c.getId()));
    String root = ada.chatPostMessage(r -> r.channel(c.getId()).text("root")).getTs();
    ChatPostMessageResponse first =
        bob.chatPostMessage(r -> r.channel(c.getId()).text("first").threadTs(root));
    assertThat(first.getMessage().getThreadTs()).isEqualTo(root);
    assertThat(first.getMessage().getParentUserId()).isEqualTo(adaId);
    // replying to a reply lands in the root's thread
    bob.chatPostMessage(r -> r.channel(c.getId()).text("second").threadTs(first.getTs()));
    ChatPostMessageResponse shout =
        ada.chatPostMessage(
            r -> r.channel(c.getId()).text("everyone").threadTs(root).replyBroadcast(true));
    assertThat(shout.getMessage().getSubtype()).isEqualTo("thread_broadcast");

    var history = ada.conversationsHistory(r -> r.channel(c.getId()));
    assertThat(history.getMessages())
        .extracting(Message::getText)
        .containsExactly("everyone", "root");
    Message rootInHistory = history.getMessages().get(1);
    assertThat(rootInHistory.getReplyCount()).isEqualTo(3);
    assertThat(rootInHistory.getReplyUsers()).containsExactly(bobId, adaId);
    assertThat(rootInHistory.getLatestReply()).isEqualTo(shout.getTs());
    assertThat(rootInHistory.getThreadTs()).isEqualTo(root);

    List<String> texts = new ArrayList<>();
    String cursor = null;
    do {
      String current = cursor;
      ConversationsRepliesResponse page =
          ada.conversationsReplies(r -> r.channel(c.getId()).ts(root).limit(2).cursor(current));
      assertThat(page.isOk()).as(page.getError()).isTrue();
      assertThat(page.getMessages().get(0).getText()).isEqualTo("root");
      page.getMessages().stream().skip(1).forEach(m -> texts.add(m.getText()));
      cursor = page.getResponseMetadata().getNextCursor();
    } while (cursor != null && !cursor.isEmpty());
    assertThat(texts).containsExactly("first", "second", "everyone");
    assertThat(ada.conversationsReplies(r -> r.channel(c.getId()).ts("1.000001")).getError())
        .isEqualTo("thread_not_found");
  }

  @Test
  void editsAndDeletionsBelongToTheAuthor() throws Exception {
    Conversation c = channel(ada, "edits", false);
    bob.conversationsJoin(r -> r.channel(c.getId()));
    String ts = ada.chatPostMessage(r -> r.channel(c.getId()).text("draft")).getTs();
    assertThat(bob.chatUpdate(r -> r.channel(c.getId()).ts(ts).text("mine")).getError())
        .isEqualTo("cant_update_message");
    var updated = ada.chatUpdate(r -> r.channel(c.getId()).ts(ts).text("final & done"));
    assertThat(updated.isOk()).isTrue();
    assertThat(updated.getText()).isEqualTo("final &amp; done");
    Message edited = ada.conversationsHistory(r -> r.channel(c.getId())).getMessages().get(0);
    assertThat(edited.getText()).isEqualTo("final &amp; done");
    assertThat(edited.getEdited().getUser()).isEqualTo(adaId);
    assertThat(edited.getEdited().getTs()).isNotBlank();
    assertThat(ada.chatUpdate(r -> r.channel(c.getId()).ts("1.000001").text("x")).getError())
        .isEqualTo("message_not_found");
    assertThat(ada.chatUpdate(r -> r.channel(c.getId()).ts(ts).text("b".repeat(40_001))).getError())
        .isEqualTo("msg_too_long");

    assertThat(bob.chatDelete(r -> r.channel(c.getId()).ts(ts)).getError())
        .isEqualTo("cant_delete_message");
    assertThat(ada.chatDelete(r -> r.channel(c.getId()).ts(ts)).isOk()).isTrue();
    assertThat(ada.chatDelete(r -> r.channel(c.getId()).ts(ts)).getError())
        .isEqualTo("message_not_found");
    assertThat(ada.conversationsHistory(r -> r.channel(c.getId())).getMessages()).isEmpty();
  }

  @Test
  void deletingARootWithRepliesLeavesATombstone() throws Exception {
    Conversation c = channel(ada, "tombstones", false);
    String root = ada.chatPostMessage(r -> r.channel(c.getId()).text("root")).getTs();
    ada.chatPostMessage(r -> r.channel(c.getId()).text("reply").threadTs(root));
    ada.chatDelete(r -> r.channel(c.getId()).ts(root));
    Message tombstone = ada.conversationsHistory(r -> r.channel(c.getId())).getMessages().get(0);
    assertThat(tombstone.getSubtype()).isEqualTo("tombstone");
    assertThat(tombstone.getReplyCount()).isEqualTo(1);
  }

  @Test
  void ephemeralMessagesAndPermalinks() throws Exception {
    Conversation c = channel(ada, "ephemeral", false);
    var ephemeral = bot.chatPostEphemeral(r -> r.channel(c.getId()).user(adaId).text("psst"));
    assertThat(ephemeral.isOk()).as(ephemeral.getError()).isTrue();
    assertThat(ephemeral.getMessageTs()).isNotBlank();
    assertThat(bot.chatPostEphemeral(r -> r.channel(c.getId()).user(bobId).text("psst")).getError())
        .isEqualTo("user_not_in_channel");
    assertThat(ada.conversationsHistory(r -> r.channel(c.getId())).getMessages()).isEmpty();

    String root = ada.chatPostMessage(r -> r.channel(c.getId()).text("root")).getTs();
    String reply = ada.chatPostMessage(r -> r.channel(c.getId()).text("re").threadTs(root)).getTs();
    assertThat(ada.chatGetPermalink(r -> r.channel(c.getId()).messageTs(root)).getPermalink())
        .isEqualTo(ws.base() + "/archives/" + c.getId() + "/p" + root.replace(".", ""));
    assertThat(ada.chatGetPermalink(r -> r.channel(c.getId()).messageTs(reply)).getPermalink())
        .endsWith("?thread_ts=" + root + "&cid=" + c.getId());
    assertThat(ada.chatGetPermalink(r -> r.channel(c.getId()).messageTs("9.000009")).getError())
        .isEqualTo("message_not_found");
  }

  @Test
  void reactions() throws Exception {
    Conversation c = channel(ada, "reactions", false);
    String ts = ada.chatPostMessage(r -> r.channel(c.getId()).text("approve me")).getTs();
    assertThat(bob.reactionsAdd(r -> r.channel(c.getId()).timestamp(ts).name("thumbsup")).isOk())
        .isTrue();
    assertThat(
            ada.reactionsAdd(r -> r.channel(c.getId()).timestamp(ts).name(":+1::skin-tone-3:"))
                .isOk())
        .isTrue();
    assertThat(
            bob.reactionsAdd(r -> r.channel(c.getId()).timestamp(ts).name("thumbsup")).getError())
        .isEqualTo("already_reacted");
    assertThat(
            bob.reactionsAdd(r -> r.channel(c.getId()).timestamp(ts).name("not an emoji"))
                .getError())
        .isEqualTo("invalid_name");
    var got = ada.reactionsGet(r -> r.channel(c.getId()).timestamp(ts));
    assertThat(got.getMessage().getReactions())
        .extracting(com.slack.api.model.Reaction::getName)
        .containsExactly("thumbsup", "+1::skin-tone-3");
    assertThat(got.getMessage().getReactions().get(0).getUsers()).containsExactly(bobId);
    assertThat(bob.reactionsRemove(r -> r.channel(c.getId()).timestamp(ts).name("thumbsup")).isOk())
        .isTrue();
    assertThat(
            bob.reactionsRemove(r -> r.channel(c.getId()).timestamp(ts).name("thumbsup"))
                .getError())
        .isEqualTo("no_reaction");
    assertThat(
            ada.reactionsGet(r -> r.channel(c.getId()).timestamp(ts)).getMessage().getReactions())
        .extracting(com.slack.api.model.Reaction::getName)
        .containsExactly("+1::skin-tone-3");
  }

  @Test
  void filesUploadThroughTheSdkAndDownloadWithABearerToken() throws Exception {
    Conversation c = channel(ada, "files", false);
    String content = "print(\"hi\")\n";
    FilesUploadV2Response uploaded =
        ada.filesUploadV2(
            r ->
                r.channel(c.getId())
                    .filename("app.py")
                    .title("src/app.py")
                    .content(content)
                    .initialComment("the app"));
    assertThat(uploaded.isOk()).as(uploaded.getError()).isTrue();
    var file = uploaded.getFile();
    assertThat(file.getTitle()).isEqualTo("src/app.py");
    assertThat(file.getName()).isEqualTo("app.py");

    var info = bob.filesInfo(r -> r.file(file.getId()));
    assertThat(info.isOk()).as(info.getError()).isTrue();
    assertThat(info.getFile().getSize()).isEqualTo(content.length());
    assertThat(info.getFile().getFiletype()).isEqualTo("python");

    Message shared = ada.conversationsHistory(r -> r.channel(c.getId())).getMessages().get(0);
    assertThat(shared.getSubtype()).isEqualTo("file_share");
    assertThat(shared.getText()).isEqualTo("the app");
    assertThat(shared.getFiles()).extracting(f -> f.getId()).containsExactly(file.getId());

    for (String url :
        List.of(info.getFile().getUrlPrivate(), info.getFile().getUrlPrivateDownload())) {
      HttpResponse<String> download =
          ws.http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + bobToken)
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.body()).isEqualTo(content);
      HttpResponse<String> anonymous =
          ws.http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
    }
    assertThat(bob.filesInfo(r -> r.file("FNOPE")).getError()).isEqualTo("file_not_found");
  }

  @Test
  void filesInPrivateChannelsStayPrivate() throws Exception {
    Conversation secret = channel(ada, "private-files", true);
    FilesUploadV2Response uploaded =
        ada.filesUploadV2(r -> r.channel(secret.getId()).filename("notes.txt").content("secret"));
    assertThat(uploaded.isOk()).as(uploaded.getError()).isTrue();
    assertThat(bob.filesInfo(r -> r.file(uploaded.getFile().getId())).getError())
        .isEqualTo("file_not_found");
  }

  @Test
  void rateLimitsAnswer429WithRetryAfter() throws Exception {
    try (TestWorkspace limited = TestWorkspace.sqlite(dir.resolve("limited"))) {
      limited.workspace.setRateLimits(new RateLimits(Map.of("users.list", 2), 0, 0, 0));
      MethodsClient client = limited.bot();
      assertThat(client.usersList(r -> r).isOk()).isTrue();
      assertThat(client.usersList(r -> r).isOk()).isTrue();
      assertThatThrownBy(() -> client.usersList(r -> r))
          .isInstanceOfSatisfying(
              SlackApiException.class,
              e -> {
                assertThat(e.getResponse().code()).isEqualTo(429);
                assertThat(Long.parseLong(e.getResponse().header("Retry-After")))
                    .isBetween(1L, 30L);
                assertThat(e.getError().getError()).isEqualTo("ratelimited");
              });
      // other methods and other tokens have their own budgets
      assertThat(client.authTest(r -> r).isOk()).isTrue();
      assertThat(
              limited.methods(limited.workspace.addUser("carol", false)).usersList(r -> r).isOk())
          .isTrue();
      // the limits survive a restart
      assertThat(LocalWorkspaceReopen.limitsAfterReopen(limited, dir.resolve("limited")))
          .isEqualTo(new RateLimits(Map.of("users.list", 2), 0, 0, 0));
    }
  }

  @Test
  void postsToOneChannelAreLimitedPerChannel() throws Exception {
    try (TestWorkspace limited = TestWorkspace.sqlite(dir.resolve("per-channel"))) {
      limited.workspace.setRateLimits(new RateLimits(Map.of(), 0, 1.0, 2));
      MethodsClient client = limited.methods(limited.workspace.firstRunAdminToken().orElseThrow());
      String general = client.conversationsList(r -> r).getChannels().get(0).getId();
      String other = client.conversationsCreate(r -> r.name("other")).getChannel().getId();
      assertThat(client.chatPostMessage(r -> r.channel(general).text("1")).isOk()).isTrue();
      assertThat(client.chatPostMessage(r -> r.channel(general).text("2")).isOk()).isTrue();
      assertThatThrownBy(() -> client.chatPostMessage(r -> r.channel(general).text("3")))
          .isInstanceOf(SlackApiException.class)
          .hasMessageContaining("429");
      assertThat(client.chatPostMessage(r -> r.channel(other).text("elsewhere")).isOk()).isTrue();
    }
  }
}
