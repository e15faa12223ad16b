package dev.threadbare.workspace.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.workspace.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The same storage behaviour on SQLite and PostgreSQL. */
class WorkspaceStoreTest {

  @TempDir static Path dir;

  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of(
            "sqlite",
            (java.util.function.Supplier<DataSource>)
                () -> TestDatabases.sqlite(dir, "store" + System.nanoTime())),
        Arguments.of(
            "postgresql", (java.util.function.Supplier<DataSource>) TestDatabases::postgres));
  }

  private static StoredMessage message(
      String channel, String ts, String threadTs, String user, String text) {
    return new StoredMessage(
        channel, ts, threadTs, user, null, text, null, null, null, null, null, null, null, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void usersChannelsMessagesReactionsAndFiles(
      String name, java.util.function.Supplier<DataSource> source) {
    WorkspaceStore store = WorkspaceStore.open(source.get());
    // migrating twice is a no-op
    WorkspaceStore.open(source.get());

    User bot = store.createUser("threadbare", "threadbare", false, true, "xoxb-1");
    User ada = store.createUser("ada", "Ada", true, false, "xoxp-ada");
    User bob = store.createUser("bob", "Bob", false, false, "xoxp-bob");
    assertThat(store.tokenOwner("xoxp-ada"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.getKey()).isEqualTo(ada);
              assertThat(e.getValue()).isEqualTo("user");
            });
    assertThat(store.tokenOwner("nope")).isEmpty();
    assertThat(store.bot()).contains(bot);
    assertThat(store.tokenOwner("xoxb-1"))
        .hasValueSatisfying(e -> assertThat(e.getKey()).isEqualTo(bot));
    assertThat(store.plaintextToken(bot.id(), "bot")).isEmpty(); // kept only as a hash
    assertThat(store.users("", 10)).hasSize(3);
    assertThat(store.users("", 2)).hasSize(2);

    Channel general = store.createChannel("general", false, true, ada.id());
    Channel secret = store.createChannel("secret", true, false, ada.id());
    assertThat(store.members(general.id(), "", 10))
        .containsExactlyInAnyOrder(bot.id(), ada.id(), bob.id());
    assertThat(store.isMember(secret.id(), bot.id())).isFalse();
    assertThat(store.channels(bob.id(), true, true, "", 10)).containsExactly(general);
    assertThat(store.channels(ada.id(), true, true, "", 10)).containsExactly(general, secret);
    assertThat(store.addMember(secret.id(), bob.id())).isTrue();
    assertThat(store.addMember(secret.id(), bob.id())).isFalse();
    assertThat(store.memberCount(secret.id())).isEqualTo(2);

    store.insertMessage(message(general.id(), "100.000001", null, ada.id(), "one"));
    store.insertMessage(message(general.id(), "100.000002", "100.000001", bob.id(), "reply"));
    store.insertMessage(message(general.id(), "100.000003", null, bob.id(), "two"));
    assertThat(store.latestMicros()).isEqualTo(100_000_003L);
    assertThat(store.history(general.id(), 0, false, Long.MAX_VALUE, false, 10))
        .extracting(StoredMessage::text)
        .containsExactly("two", "one");
    assertThat(store.history(general.id(), 100_000_001L, true, 100_000_003L, false, 10))
        .extracting(StoredMessage::text)
        .containsExactly("one");
    assertThat(store.threadStats(general.id(), "100.000001"))
        .isEqualTo(new ThreadStats(1, List.of(bob.id()), "100.000002"));

    store.editMessage(
        general.id(),
        "100.000001",
        "one!",
        "[]",
        null,
        "{\"event_type\":\"t\",\"event_payload\":{}}",
        "100.000009",
        ada.id());
    assertThat(store.message(general.id(), "100.000001"))
        .hasValueSatisfying(
            m -> {
              assertThat(m.text()).isEqualTo("one!");
              assertThat(m.metadataJson()).isEqualTo("{\"event_type\":\"t\",\"event_payload\":{}}");
              assertThat(m.editedTs()).isEqualTo("100.000009");
            });

    assertThat(store.addReaction(general.id(), "100.000003", "thumbsup", ada.id(), 1)).isTrue();
    assertThat(store.addReaction(general.id(), "100.000003", "thumbsup", ada.id(), 2)).isFalse();
    assertThat(store.addReaction(general.id(), "100.000003", "eyes", bob.id(), 3)).isTrue();
    assertThat(store.addReaction(general.id(), "100.000003", "thumbsup", bob.id(), 4)).isTrue();
    assertThat(store.reactions(general.id(), "100.000003"))
        .containsExactly(
            new Reaction("thumbsup", List.of(ada.id(), bob.id())),
            new Reaction("eyes", List.of(bob.id())));
    assertThat(store.removeReaction(general.id(), "100.000003", "eyes", bob.id())).isTrue();
    assertThat(store.removeReaction(general.id(), "100.000003", "eyes", bob.id())).isFalse();

    store.deleteMessage(general.id(), "100.000002");
    assertThat(store.threadStats(general.id(), "100.000001").replyCount()).isZero();
    store.deleteMessage(general.id(), "100.000003");
    assertThat(store.history(general.id(), 0, false, Long.MAX_VALUE, false, 10))
        .extracting(StoredMessage::text)
        .containsExactly("one!");
    assertThat(store.reactions(general.id(), "100.000003")).isEmpty();

    StoredFile file = store.createFile(ada.id(), "a.py", "text/plain", "python", 3);
    byte[] bytes = "hi\n".getBytes(StandardCharsets.UTF_8);
    assertThat(store.putFileContent(file.id(), bytes, "python", "text/plain")).isTrue();
    store.completeFile(file.id(), "src/a.py");
    assertThat(store.putFileContent(file.id(), bytes, "python", "text/plain")).isFalse();
    assertThat(store.file(file.id()))
        .hasValueSatisfying(
            f -> {
              assertThat(f.title()).isEqualTo("src/a.py");
              assertThat(f.size()).isEqualTo(3);
              assertThat(f.completed()).isTrue();
            });
    assertThat(store.fileContent(file.id()))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    StoredMessage share =
        new StoredMessage(
            general.id(),
            "100.000010",
            null,
            ada.id(),
            "file_share",
            "",
            null,
            null,
            null,
            file.id(),
            null,
            null,
            null,
            false);
    store.insertMessage(share);
    assertThat(store.fileShares(file.id()))
        .containsExactly(java.util.Map.entry(general.id(), "100.000010"));

    assertThat(store.metaOrInit("k", "first")).isEqualTo("first");
    assertThat(store.metaOrInit("k", "second")).isEqualTo("first");
    store.putMeta("k", "third");
    assertThat(store.meta("k")).contains("third");
  }
}
