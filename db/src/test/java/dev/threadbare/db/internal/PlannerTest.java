package dev.threadbare.db.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.DbException;
import dev.threadbare.db.HouseRuleException;
import dev.threadbare.db.internal.Plan.IndexWish;
import dev.threadbare.db.internal.Plan.Use;
import dev.threadbare.db.internal.Plan.UseKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner alone, against a fixed schema: rewrites, refusals, usage and index wishes. */
class PlannerTest {
  final Map<String, Map<String, ColumnType>> schema = new LinkedHashMap<>();
  final Planner planner;

  PlannerTest() {
    Map<String, ColumnType> people = new LinkedHashMap<>();
    people.put("id", ColumnType.BIGINT);
    people.put("name", ColumnType.TEXT);
    schema.put("people", people);
    Map<String, ColumnType> pets = new LinkedHashMap<>();
    pets.put("owner_id", ColumnType.BIGINT);
    pets.put("kind", ColumnType.TEXT);
    schema.put("pets", pets);
    planner = new Planner(schema);
  }

  @Test
  void unknownColumnsBecomeNullsWhereverTheyAppear() {
    Plan plan = planner.plan("SELECT name, email FROM people WHERE email = 'x' ORDER BY email");
    assertThat(plan.sql())
        .isEqualTo(
            "SELECT name, CAST(NULL AS TEXT) AS email FROM people WHERE NULL = 'x'"
                + " ORDER BY CAST(NULL AS TEXT)");
    assertThat(plan.requestedColumns()).containsExactly(new Plan.ColumnRef("people", "email"));
    assertThat(plan.uses()).containsExactly(new Use("people", "name", UseKind.READ));
  }

  @Test
  void knownStatementsRunAsWritten() {
    String sql =
        "SELECT p.name, k.kind FROM people p JOIN pets k ON k.owner_id = p.id WHERE p.id = $1";
    Plan plan = planner.plan(sql);
    assertThat(plan.sql()).isEqualTo(sql);
    assertThat(plan.placeholders().sql()).endsWith("WHERE p.id = ?");
    assertThat(plan.placeholders().parameterIndexes()).containsExactly(0);
    assertThat(plan.indexWishes())
        .containsExactly(
            new IndexWish("pets", "owner_id", "join"),
            new IndexWish("people", "id", "join"),
            new IndexWish("people", "id", "filter"));
  }

  @Test
  void anUnknownTableReadsAsAnEmptyOne() {
    Plan plan = planner.plan("SELECT title FROM books b WHERE b.year > 1");
    assertThat(plan.sql())
        .isEqualTo(
            "SELECT CAST(NULL AS TEXT) AS title FROM (SELECT 1 AS tb_missing WHERE 1 = 0) AS b"
                + " WHERE NULL > 1");
  }

  @Test
  void insertsNameTheirValuesAndTheColumnsTheyLeaveOut() {
    Plan plan = planner.plan("INSERT INTO people (name, age) VALUES ($2, 41), ('Bo', -3)");
    assertThat(plan.writes())
        .extracting(w -> w.column() + "=" + w.value())
        .containsExactly(
            "name=Parameter[index=1]",
            "name=Literal[type=TEXT, text=Bo]",
            "age=Literal[type=BIGINT, text=41]",
            "age=Literal[type=BIGINT, text=-3]");
    assertThat(plan.uses()).contains(new Use("people", "id", UseKind.OMIT));
  }

  @Test
  void refusalsNameTheRule() {
    assertThatThrownBy(() -> planner.plan("SELECT * FROM people"))
        .isInstanceOfSatisfying(
            HouseRuleException.class, e -> assertThat(e.rule()).isEqualTo("no-select-star"));
    assertThatThrownBy(() -> planner.plan("SELECT name FROM (SELECT p.* FROM people p) AS x"))
        .hasMessageContaining("p.*");
    assertThatThrownBy(() -> planner.plan("ALTER TABLE people ALTER COLUMN id TYPE smallint"))
        .hasMessageContaining("no-narrowing");
    assertThat(planner.plan("ALTER TABLE people ALTER COLUMN id TYPE numeric").kind())
        .isEqualTo(Plan.Kind.DDL);
    assertThatThrownBy(() -> planner.plan("DROP VIEW v"))
        .hasMessageContaining("names-are-permanent");
    assertThat(planner.plan("ALTER TABLE people ALTER COLUMN name DROP NOT NULL").kind())
        .isEqualTo(Plan.Kind.DDL);
  }

  @Test
  void syntaxErrorsNameLineColumnAndPosition() {
    DbException e =
        (DbException)
            org.assertj.core.api.Assertions.catchThrowable(
                () -> planner.plan("SELECT name\nFROM people WHERE )"));
    assertThat(e.sqlState()).isEqualTo("42601");
    assertThat(e.getMessage()).contains("line 2").contains("position");
  }

  @Test
  void systemCatalogsAreNotTheApplications() {
    Plan plan = planner.plan("SELECT relname FROM pg_class WHERE relname = 'x'");
    assertThat(plan.sql()).isEqualTo("SELECT relname FROM pg_class WHERE relname = 'x'");
    assertThat(plan.uses()).isEmpty();
    assertThat(List.of(plan.kind())).containsExactly(Plan.Kind.QUERY);
  }
}
