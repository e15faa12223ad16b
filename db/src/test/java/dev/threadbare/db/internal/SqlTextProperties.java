package dev.threadbare.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Splitting a script respects quotes, dollar quotes and comments. */
class SqlTextProperties {

  @Provide
  Arbitrary<String> statement() {
    Arbitrary<String> word = Arbitraries.of("SELECT", "a", "1", "FROM", "t", "$1", "x");
    Arbitrary<String> quoted =
        Arbitraries.of("'a;b'", "'it''s;'", "\"odd;name\"", "$$x;y$$", "$tag$;$tag$", "/* ; */");
    return Arbitraries.oneOf(word, quoted)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6)
        .map(parts -> "SELECT " + String.join(" ", parts));
  }

  @Property(tries = 300)
  void splittingFindsEveryStatementWhole(
      @ForAll @Size(min = 1, max = 5) List<@net.jqwik.api.From("statement") String> statements) {
    List<String> pieces =
        SqlText.split(String.join(";\n", statements) + ";").stream()
            .map(SqlText.Piece::text)
            .toList();
    assertThat(pieces).isEqualTo(statements);
  }

  @Property(tries = 200)
  void placeholdersOutsideLiteralsOnly(@ForAll("statement") String statement) {
    SqlText.Placeholders p = SqlText.placeholders(statement);
    int dollars = statement.split("\\$1", -1).length - 1;
    assertThat(p.parameterIndexes()).hasSizeLessThanOrEqualTo(dollars).allMatch(i -> i == 0);
    assertThat(p.sql()).doesNotContain(" $1");
  }
}
