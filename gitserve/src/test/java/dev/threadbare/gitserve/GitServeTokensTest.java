package dev.threadbare.gitserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitServeTokensTest {
  @TempDir Path data;

  @Test
  void tokensAreIssuedListedAndRevokedAndStoredOnlyAsHashes() throws Exception {
    GitServe gitServe = GitServe.tokensOnly(data);
    String alice = gitServe.addToken("U0ALICE");
    String bob = gitServe.addToken("U0BOB");
    assertThat(alice).startsWith("tbp_").hasSizeGreaterThan(40).isNotEqualTo(bob);
    assertThat(gitServe.userOf(alice)).hasValue("U0ALICE");
    assertThat(gitServe.listTokens()).extracting(AccessToken::userId).contains("U0ALICE", "U0BOB");
    assertThat(gitServe.listTokens("U0ALICE"))
        .singleElement()
        .satisfies(t -> assertThat(t.live()).isTrue());

    String database =
        new String(Files.readAllBytes(data.resolve("gitserve.db")), StandardCharsets.ISO_8859_1);
    assertThat(database).doesNotContain(alice.substring(4)).doesNotContain(bob.substring(4));

    AccessToken token = gitServe.listTokens("U0ALICE").get(0);
    gitServe.revokeToken(token.id());
    assertThat(gitServe.userOf(alice)).isEmpty();
    assertThat(gitServe.userOf(bob)).hasValue("U0BOB");
    // The revocation survives reopening the database.
    GitServe reopened = GitServe.tokensOnly(data);
    assertThat(reopened.userOf(alice)).isEmpty();
    assertThat(reopened.listTokens("U0ALICE").get(0).revokedAt()).isNotNull();
  }

  @Test
  void badInputIsNamed() {
    GitServe gitServe = GitServe.tokensOnly(data);
    assertThatThrownBy(() -> gitServe.revokeToken("feedbeef00"))
        .isInstanceOf(UnknownTokenException.class)
        .hasMessageContaining("`feedbeef00`")
        .hasMessageContaining("list-tokens");
    assertThatThrownBy(() -> gitServe.addToken(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user id is blank");
    assertThat(gitServe.userOf("not-a-token")).isEmpty();
    assertThat(gitServe.userOf("tbp_forged")).isEmpty();
    assertThatThrownBy(() -> new GitServe.Settings(false, "ftp://x"))
        .hasMessageContaining("`ftp://x`")
        .hasMessageContaining("http://");
  }
}
