package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Message;
import org.junit.jupiter.api.Test;

/** The whole workspace on PostgreSQL, driven by the Slack SDK. */
class PostgresWorkspaceTest {

  @Test
  void servesTheWebApiFromPostgres() throws Exception {
    javax.sql.DataSource database = TestDatabases.postgres();
    try (TestWorkspace ws = new TestWorkspace(LocalWorkspace.open(database))) {
      MethodsClient ada = ws.methods(ws.workspace.addUser("ada", false));
      String channel = ada.conversationsCreate(r -> r.name("pg")).getChannel().getId();
      String root = ada.chatPostMessage(r -> r.channel(channel).text("a < b")).getTs();
      ada.chatPostMessage(r -> r.channel(channel).text("reply").threadTs(root));
      ada.reactionsAdd(r -> r.channel(channel).timestamp(root).name("eyes"));
      var upload =
          ada.filesUploadV2(r -> r.channel(channel).filename("x.csv").content("a,b\n1,2\n"));
      assertThat(upload.isOk()).as(upload.getError()).isTrue();
      var history = ada.conversationsHistory(r -> r.channel(channel));
      assertThat(history.getMessages())
          .extracting(Message::getSubtype)
          .containsExactly("file_share", null);
      Message first = history.getMessages().get(1);
      assertThat(first.getText()).isEqualTo("a &lt; b");
      assertThat(first.getReplyCount()).isEqualTo(1);
      assertThat(first.getReactions()).hasSize(1);
      assertThat(ada.filesInfo(r -> r.file(upload.getFile().getId())).getFile().getFiletype())
          .isEqualTo("csv");
    }
    // reopening keeps the team and the bot
    try (LocalWorkspace again = LocalWorkspace.open(database)) {
      assertThat(again.firstRunAdminToken()).isEmpty();
      assertThat(again.botToken()).startsWith("xoxb-");
    }
  }
}
