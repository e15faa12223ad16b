package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.internal.Plan.ColumnRef;
import dev.threadbare.db.internal.Plan.ColumnWrite;
import dev.threadbare.db.internal.Plan.ForeignKey;
import dev.threadbare.db.internal.Plan.IndexWish;
import dev.threadbare.db.internal.Plan.Kind;
import dev.threadbare.db.internal.Plan.Use;
import dev.threadbare.db.internal.Plan.UseKind;
import dev.threadbare.db.internal.Plan.ValueSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Parses one statement with JSqlParser and applies the house rules to it against a snapshot of the
 * database's schema: refusals, the implicit schema it needs, the rewrite of unknown columns and
 * tables in reads, the usage it records and the indexes it wishes for. A planner is used by one
 * thread at a time; {@link #plan} does not touch the engine.
 */
public final class Planner {

  /**
   * The rewrite of a column that does not exist, where it is a result column: a NULL of type text.
   */
  static final String NULL_COLUMN = "CAST(NULL AS TEXT)";

  /** The rewrite of a column that does not exist inside an expression: an untyped NULL. */
  static final String NULL_VALUE = "NULL";

  private static final Set<String> NOT_COLUMNS =
      Set.of(
          "current_date",
          "current_time",
          "current_timestamp",
          "localtime",
          "localtimestamp",
          "current_user",
          "current_role",
          "current_schema",
          "current_catalog",
          "session_user",
          "user",
          "true",
          "false",
          "null",
          "default");

  private static final Set<String> SESSION_COMMANDS =
      Set.of("SET", "SHOW", "RESET", "DISCARD", "DEALLOCATE");

  private static final Pattern ALTER_TABLE =
      Pattern.compile(
          "(?is)^\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(\\S+)\\s+(.*)$");
  private static final Pattern ALTER_TYPE =
      Pattern.compile(
          "(?is)^ALTER\\s+(?:COLUMN\\s+)?(\\S+)\\s+(?:SET\\s+DATA\\s+)?TYPE\\s+(.+?)(?:\\s+USING\\s.*)?$");
  private static final Pattern SET_NOT_NULL =
      Pattern.compile("(?is)^ALTER\\s+(?:COLUMN\\s+)?(\\S+)\\s+SET\\s+NOT\\s+NULL$");
  private static final Pattern DROP_ACTION =
      Pattern.compile(
          "(?is)^DROP\\s+(?!CONSTRAINT\\b)(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?(\\S+).*");
  private static final Pattern ADD_COLUMN =
      Pattern.compile(
          "(?is)^ADD\\s+(?!CONSTRAINT\\b|PRIMARY\\b|FOREIGN\\b|UNIQUE\\b|CHECK\\b)"
              + "(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?(\\S+)\\s+(.*)$");
  private static final Pattern REFERENCES =
      Pattern.compile("(?is)REFERENCES\\s+([\\w\".]+)\\s*(?:\\(\\s*([\\w\"]+)\\s*\\))?");
  private static final Pattern SPACED_OFFSET =
      Pattern.compile(
          "^(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)\\s+([+-]\\d{1,2}(?::?\\d{2})?)$");
  private static final Pattern TABLE_FOREIGN_KEY =
      Pattern.compile(
          "(?is)FOREIGN\\s+KEY\\s*\\(\\s*([\\w\"]+)\\s*\\)\\s*REFERENCES\\s+([\\w\".]+)\\s*(?:\\(\\s*([\\w\"]+)\\s*\\))?");

  private static final Pattern CREATE_TABLE_TEXT =
      Pattern.compile(
          "(?is)^\\s*CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?((?:[\\w\"$]+\\s*\\.\\s*)?[\\w\"$]+)\\s*\\(");
  private static final Pattern COLUMN_REFERENCES =
      Pattern.compile(
          "(?is)[(,]\\s*(?!(?:FOREIGN|CONSTRAINT|PRIMARY|UNIQUE|CHECK)\\b)(\"[^\"]+\"|[\\w$]+)\\s+[^,()]*?(?:\\([^()]*\\)[^,()]*?)?\\bREFERENCES\\s+([\\w\".]+)\\s*(?:\\(\\s*([\\w\"]+)\\s*\\))?");

  static String lastPartOf(String qualified) {
    int dot = qualified.lastIndexOf('.');
    return (dot < 0 ? qualified : qualified.substring(dot + 1)).strip();
  }

  private final Map<String, Map<String, ColumnType>> schema;
  private final java.time.Duration parseLimit;

  public Planner(Map<String, Map<String, ColumnType>> schema) {
    this(schema, BoundedParser.DEFAULT_LIMIT);
  }

  /** A planner whose parsing of one statement may take up to {@code parseLimit}. */
  public Planner(Map<String, Map<String, ColumnType>> schema, java.time.Duration parseLimit) {
    this.schema = schema;
    this.parseLimit = parseLimit;
  }

  /** Parses {@code sql} (one statement) within the default limit: see {@link BoundedParser}. */
  public static Statement parse(String sql) {
    return BoundedParser.parse(sql, BoundedParser.DEFAULT_LIMIT);
  }

  static DbException syntaxError(String sql, Token token, String message) {
    int line = 1;
    int column = 1;
    String near = "";
    if (token != null) {
      line = token.beginLine;
      column = token.beginColumn;
      near = token.kind == 0 ? "end of input" : "\"" + token.image + "\"";
    } else {
      Matcher m = Pattern.compile("line (\\d+), column (\\d+)").matcher(message);
      if (m.find()) {
        line = Integer.parseInt(m.group(1));
        column = Integer.parseInt(m.group(2));
      }
    }
    int position = 1;
    int currentLine = 1;
    for (int i = 0; i < sql.length() && currentLine < line; i++) {
      position++;
      if (sql.charAt(i) == '\n') {
        currentLine++;
      }
    }
    position += column - 1;
    return Errors.syntax(near, line, column, position, sql);
  }

  /** Plans one statement. */
  public Plan plan(String text) {
    String sql = DollarQuotes.toStandard(text);
    Statement statement;
    try {
      statement = BoundedParser.parse(sql, parseLimit);
    } catch (DbException e) {
      // session commands that touch no table and that JSqlParser does not know (SHOW TIME ZONE,
      // SET search_path TO …, DISCARD ALL) go to the engine as they are
      if (SESSION_COMMANDS.contains(SqlText.firstWord(sql))) {
        return new Analysis(sql).other();
      }
      // what psql, SQLAlchemy, Sequelize ask the engine's catalogs in syntax JSqlParser does not
      // know (OPERATOR(pg_catalog.~), casts to regclass…) goes to the engine as it is
      if (readsOnlyCatalogs(sql)) {
        return new Analysis(sql).other();
      }
      // a CREATE TABLE in syntax JSqlParser lacks (Sequelize's REFERENCES … ON DELETE SET NULL)
      // creates nothing the house rules check beyond its name and foreign keys
      Matcher create = CREATE_TABLE_TEXT.matcher(SqlText.masked(sql));
      if (create.lookingAt()) {
        return new Analysis(sql).createTableText(name(lastPartOf(create.group(1))));
      }
      throw Errors.unparsable(e);
    }
    Analysis a = new Analysis(sql);
    return switch (statement) {
      case Select select -> a.query(select);
      case Insert insert -> a.insert(insert);
      case Update update -> a.update(update);
      case Delete delete -> a.delete(delete);
      case CreateTable create -> a.createTable(create);
      case Alter ignored -> a.alter();
      case Drop drop -> a.drop(drop);
      case CreateIndex ignored ->
          a.noop(
              "CREATE INDEX",
              "CREATE INDEX accepted as a no-op: indexes are automatic (the first query that"
                  + " filters, joins or sorts on a column builds one)");
      case RenameTableStatement ignored -> throw Errors.namesArePermanent("RENAME", sql);
      default -> a.other();
    };
  }

  static String name(String raw) {
    if (raw == null) {
      return null;
    }
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  /** A table name the layer manages: unqualified, or in the default schema. */
  static String managedTable(Table table) {
    String schemaName = table.getSchemaName();
    if (schemaName != null) {
      String s = name(schemaName);
      if (!s.equals("public") && !s.equals("main")) {
        return null;
      }
    }
    if (table.getDatabaseName() != null) {
      return null;
    }
    String name = name(table.getName());
    // the engines' own catalogs are theirs, not the application's
    if (name.startsWith("pg_") || name.startsWith("duckdb_") || name.startsWith("sqlite_")) {
      return null;
    }
    return name;
  }

  private final class Analysis {
    final String sql;
    final Map<String, String> aliases = new HashMap<>(); // alias or name → managed table
    final Set<String> managedInScope = new LinkedHashSet<>();
    // how each managed table is named in the statement (its alias, else its name), for errors
    final List<String> scopeLabels = new ArrayList<>();
    boolean opaqueSource;
    // SELECT blocks plus the target of an INSERT/UPDATE/DELETE: above one, the statement has
    // several scopes (subqueries, UNION, INSERT … SELECT) and this one-scope analysis may not
    // tell which table an unqualified name belongs to
    int scopes;
    final Set<String> selectAliases = new HashSet<>();
    final List<Occurrence> occurrences = new ArrayList<>();
    final Map<Column, SelectItem<?>> bareSelectItems = new HashMap<>();
    final Set<String> cteNames = new HashSet<>();
    final List<ColumnWrite> writes = new ArrayList<>();
    final List<Use> uses = new ArrayList<>();
    final List<IndexWish> wishes = new ArrayList<>();
    final List<ForeignKey> foreignKeys = new ArrayList<>();
    final List<ColumnRef> requested = new ArrayList<>();
    final List<String> notices = new ArrayList<>();
    boolean rewritten;
    // the statement reads only the engines' catalogs (information_schema, pg_catalog…)
    boolean catalogOnly;

    Analysis(String sql) {
      this.sql = sql;
    }

    record Occurrence(Column column, String role) {}

    /** Registers a managed table of the statement under the name the statement uses for it. */
    void inScope(String table, Alias alias) {
      managedInScope.add(table);
      aliases.put(table, table);
      String label = alias == null ? table : name(alias.getName());
      aliases.put(label, table);
      if (!scopeLabels.contains(label)) {
        scopeLabels.add(label);
      }
    }

    Plan finish(Kind kind, Statement statement, String table, boolean createTable, String tag) {
      resolve();
      String text = rewritten ? statement.toString() : sql;
      return new Plan(
          kind,
          text,
          SqlText.placeholders(text),
          table,
          createTable,
          writes,
          dedupe(uses),
          dedupe(wishes),
          foreignKeys,
          dedupe(requested),
          notices,
          tag);
    }

    <T> List<T> dedupe(List<T> list) {
      return List.copyOf(new LinkedHashSet<>(list));
    }

    Plan noop(String tag, String notice) {
      notices.add(notice);
      return new Plan(
          Kind.NOOP,
          sql,
          SqlText.placeholders(sql),
          null,
          false,
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          notices,
          tag);
    }

    Plan other() {
      String first = SqlText.firstWord(sql);
      Kind kind =
          first.equals("SET") || first.equals("RESET") || first.equals("DISCARD")
              ? Kind.SET
              : Kind.OTHER;
      if (first.equals("RENAME")) {
        throw Errors.namesArePermanent("RENAME", sql);
      }
      return Plan.withoutUses(kind, sql, null, List.of(), List.of());
    }

    // ---- reads

    Plan query(Select select) {
      catalogOnly = readsOnlyEngineCatalogs(select);
      walkSelect(select);
      return finish(Kind.QUERY, select, null, false, null);
    }

    void walkSelect(Select select) {
      if (select.getWithItemsList() != null) {
        for (WithItem<?> with : select.getWithItemsList()) {
          cteNames.add(name(with.getAliasName()));
          opaqueSource = true;
          walkSelect(with.getSelect());
        }
      }
      switch (select) {
        case PlainSelect plain -> walkPlain(plain);
        case SetOperationList set -> set.getSelects().forEach(this::walkSelect);
        case ParenthesedSelect parens -> walkSelect(parens.getSelect());
        case Values values -> walkExpression(values.getExpressions(), "select");
        default -> {}
      }
      if (select.getOrderByElements() != null) {
        for (OrderByElement order : select.getOrderByElements()) {
          walkExpression(order.getExpression(), "sort");
        }
      }
    }

    void walkPlain(PlainSelect plain) {
      scopes++;
      if (plain.getFromItem() != null) {
        FromItem replaced = walkFrom(plain.getFromItem());
        if (replaced != null) {
          plain.setFromItem(replaced);
        }
      }
      if (plain.getJoins() != null) {
        for (Join join : plain.getJoins()) {
          FromItem replaced = walkFrom(join.getRightItem());
          if (replaced != null) {
            join.setRightItem(replaced);
          }
        }
      }
      checkItems(plain.getSelectItems(), "SELECT");
      for (SelectItem<?> item : plain.getSelectItems()) {
        if (item.getAlias() != null) {
          selectAliases.add(name(item.getAlias().getName()));
        }
        if (item.getExpression() instanceof Column column) {
          bareSelectItems.put(column, item);
        }
        walkExpression(item.getExpression(), "select");
      }
      if (plain.getJoins() != null) {
        for (Join join : plain.getJoins()) {
          for (Expression on : join.getOnExpressions()) {
            walkExpression(on, "join");
          }
          if (join.getUsingColumns() != null) {
            for (Column c : join.getUsingColumns()) {
              occurrences.add(new Occurrence(c, "using"));
            }
          }
        }
      }
      walkExpression(plain.getWhere(), "filter");
      if (plain.getGroupBy() != null) {
        walkExpression(plain.getGroupBy().getGroupByExpressionList(), "group");
      }
      walkExpression(plain.getHaving(), "filter");
      if (plain.getOrderByElements() != null) {
        for (OrderByElement order : plain.getOrderByElements()) {
          walkExpression(order.getExpression(), "sort");
        }
      }
    }

    void checkItems(List<? extends SelectItem<?>> items, String what) {
      if (items == null || (catalogOnly && what.equals("SELECT"))) {
        return; // the engines' catalogs are theirs: SELECT * over them passes through
      }
      for (SelectItem<?> item : items) {
        Expression e = item.getExpression();
        if (e instanceof net.sf.jsqlparser.statement.select.AllTableColumns t) {
          throw Errors.selectStar(t.getTable() + ".*", sql);
        }
        if (e instanceof AllColumns) {
          throw Errors.selectStar(what + " *", sql);
        }
      }
    }

    /** Registers a FROM item; returns a replacement for an unknown table, else null. */
    FromItem walkFrom(FromItem item) {
      switch (item) {
        case Table table -> {
          String managed = managedTable(table);
          if (managed == null || cteNames.contains(managed)) {
            opaqueSource = true;
            if (managed != null) {
              aliases.put(managed, null);
            }
            return null;
          }
          String alias = table.getAlias() == null ? managed : name(table.getAlias().getName());
          inScope(managed, table.getAlias());
          if (!schema.containsKey(managed)) {
            rewritten = true;
            ParenthesedSelect empty = new ParenthesedSelect();
            empty.setSelect((Select) parse("SELECT 1 AS tb_missing WHERE 1 = 0"));
            empty.setAlias(new Alias(quoteIfNeeded(alias)));
            return empty;
          }
          return null;
        }
        case ParenthesedSelect sub -> {
          opaqueSource = true;
          if (sub.getAlias() != null) {
            aliases.put(name(sub.getAlias().getName()), null);
          }
          walkSelect(sub.getSelect());
          return null;
        }
        case ParenthesedFromItem parens -> {
          FromItem inner = walkFrom(parens.getFromItem());
          if (inner != null) {
            parens.setFromItem(inner);
          }
          if (parens.getJoins() != null) {
            for (Join join : parens.getJoins()) {
              FromItem replaced = walkFrom(join.getRightItem());
              if (replaced != null) {
                join.setRightItem(replaced);
              }
              for (Expression on : join.getOnExpressions()) {
                walkExpression(on, "join");
              }
            }
          }
          return null;
        }
        default -> {
          opaqueSource = true;
          return null;
        }
      }
    }

    void walkExpression(Expression expression, String exprRole) {
      if (expression == null) {
        return;
      }
      expression.accept(
          new ExpressionVisitorAdapter<Void>() {
            @Override
            public <S> Void visit(Column column, S context) {
              occurrences.add(new Occurrence(column, exprRole));
              return null;
            }

            @Override
            public <S> Void visit(ParenthesedSelect select, S context) {
              walkSelect(select.getSelect());
              return null;
            }

            @Override
            public <S> Void visit(Select select, S context) {
              walkSelect(select);
              return null;
            }
          },
          null);
    }

    /** Resolves every column occurrence against the scope and the schema. */
    void resolve() {
      for (Occurrence o : occurrences) {
        Column column = o.column();
        String columnName = name(column.getColumnName());
        if (columnName == null
            || columnName.equals(name(NULL_COLUMN))
            || columnName.equals(name(NULL_VALUE))) {
          continue;
        }
        if (isDollarQuoted(column)) {
          continue; // a dollar-quoted string, which JSqlParser reads as a column
        }
        Table qualifier = column.getTable();
        String table;
        if (qualifier != null && qualifier.getName() != null) {
          String q = name(qualifier.getName());
          if (!aliases.containsKey(q)) {
            continue; // an outer or unknown qualifier: the engine decides
          }
          table = aliases.get(q);
          if (table == null) {
            continue; // a subquery or CTE
          }
        } else {
          if (NOT_COLUMNS.contains(columnName)) {
            continue;
          }
          List<String> holders = new ArrayList<>();
          for (String t : managedInScope) {
            Map<String, ColumnType> columns = schema.get(t);
            if (columns != null && columns.containsKey(columnName)) {
              holders.add(t);
            }
          }
          if (holders.size() == 1) {
            table = holders.get(0);
          } else if (holders.size() > 1) {
            continue; // ambiguous: the engine says so
          } else if (selectAliases.contains(columnName)
              || opaqueSource
              || managedInScope.isEmpty()) {
            continue;
          } else if (managedInScope.size() == 1) {
            table = managedInScope.iterator().next();
          } else if (scopes == 1 && !o.role().equals("using") && !aliases.containsKey(columnName)) {
            // one scope over several tables, none of which has the column: the layer cannot
            // tell which table to record it on, and the engine would only say it does not exist
            throw Errors.unqualifiedUnknownColumn(columnName, scopeLabels, sql);
          } else {
            continue; // several scopes (subqueries, UNION): the engine decides
          }
        }
        Map<String, ColumnType> columns = schema.get(table);
        if (columns != null && columns.containsKey(columnName)) {
          uses.add(new Use(table, columnName, UseKind.READ));
          switch (o.role()) {
            case "filter", "join", "sort" -> wishes.add(new IndexWish(table, columnName, o.role()));
            default -> {}
          }
        } else if (o.role().equals("returning") && !writtenHere(table, columnName)) {
          throw Errors.returningUnknownColumn(table, columnName, sql);
        } else {
          requested.add(new ColumnRef(table, columnName));
          SelectItem<?> item = bareSelectItems.get(column);
          if (item != null && item.getAlias() == null) {
            item.setAlias(new Alias(quoteIfNeeded(columnName)));
          }
          column.setTable(null);
          // a bare NULL would be a constant in ORDER BY / GROUP BY, and a typed one would not
          // compare with numbers in a filter
          boolean typed = item != null || o.role().equals("sort") || o.role().equals("group");
          column.setColumnName(typed ? NULL_COLUMN : NULL_VALUE);
          rewritten = true;
        }
      }
    }

    // ---- writes

    Plan insert(Insert insert) {
      String table = managedTable(insert.getTable());
      checkReturning(insert.getReturningClause());
      if (table == null) {
        return other();
      }
      boolean exists = schema.containsKey(table);
      scopes++;
      inScope(table, insert.getTable().getAlias());
      List<Column> columns = insert.getColumns();
      if (columns == null || columns.isEmpty()) {
        if (!exists) {
          throw Errors.unknownTableForInsert(table, sql);
        }
        columns = new ArrayList<>();
        for (String c : schema.get(table).keySet()) {
          columns.add(new Column(c));
        }
      }
      List<List<Expression>> rows = rows(insert);
      if (exists) {
        Set<String> supplied = new HashSet<>();
        columns.forEach(c -> supplied.add(name(c.getColumnName())));
        for (String column : schema.get(table).keySet()) {
          if (!supplied.contains(column)) {
            uses.add(new Use(table, column, UseKind.OMIT));
          }
        }
      }
      for (int i = 0; i < columns.size(); i++) {
        String column = name(columns.get(i).getColumnName());
        uses.add(new Use(table, column, UseKind.INSERT));
        if (rows == null) {
          writes.add(new ColumnWrite(table, column, new ValueSource.Expression("a query")));
          continue;
        }
        ColumnType existing = exists ? columnType(table, column) : null;
        for (List<Expression> row : rows) {
          if (i < row.size()) {
            if (existing != null && row.get(i) instanceof StringValue s) {
              timeLiteral(existing, s);
            }
            writes.add(new ColumnWrite(table, column, source(row.get(i))));
          }
        }
      }
      if (rows == null && insert.getSelect() != null) {
        walkSelect(insert.getSelect());
      }
      walkReturning(insert.getReturningClause());
      return finish(Kind.INSERT, insert, table, !exists, null);
    }

    /**
     * A date/time literal for a date/time column in a form PostgreSQL accepts and DuckDB does not
     * (Sequelize's {@code '2024-02-29 13:14:15.123 +00:00'}: a space before the offset) is written
     * without the space, which both engines read as the same instant.
     */
    void timeLiteral(ColumnType column, StringValue literal) {
      if (column != ColumnType.TIMESTAMPTZ
          && column != ColumnType.TIMESTAMP
          && column != ColumnType.DATE) {
        return;
      }
      Matcher m = SPACED_OFFSET.matcher(literal.getValue());
      if (m.matches()) {
        literal.setValue(m.group(1) + m.group(2));
        rewritten = true;
      }
    }

    List<List<Expression>> rows(Insert insert) {
      // not insert.getValues(), which casts any SELECT to VALUES
      if (!(insert.getSelect() instanceof Values values)) {
        return null;
      }
      ExpressionList<?> list = values.getExpressions();
      List<List<Expression>> rows = new ArrayList<>();
      boolean multi = !list.isEmpty() && list.get(0) instanceof ParenthesedExpressionList<?>;
      if (multi) {
        for (Expression row : list) {
          rows.add(new ArrayList<>((ExpressionList<?>) row));
        }
      } else {
        rows.add(new ArrayList<>(list));
      }
      return rows;
    }

    ValueSource source(Expression e) {
      return switch (e) {
        case NullValue n -> new ValueSource.Null();
        case LongValue l -> new ValueSource.Literal(ColumnType.BIGINT, l.toString());
        case DoubleValue d -> new ValueSource.Literal(ColumnType.NUMERIC, d.toString());
        case StringValue s -> new ValueSource.Literal(ColumnType.TEXT, s.getValue());
        case BooleanValue b -> new ValueSource.Literal(ColumnType.BOOLEAN, b.toString());
        case SignedExpression s when s.getExpression() instanceof LongValue ->
            new ValueSource.Literal(ColumnType.BIGINT, s.toString());
        case SignedExpression s when s.getExpression() instanceof DoubleValue ->
            new ValueSource.Literal(ColumnType.NUMERIC, s.toString());
        case JdbcParameter p when p.getIndex() != null ->
            new ValueSource.Parameter(p.getIndex() - 1);
        // JSqlParser reads $$text$$ and $tag$text$tag$ as a column
        case Column c when isDollarQuoted(c) ->
            new ValueSource.Literal(ColumnType.TEXT, dollarQuotedBody(c.getColumnName()));
        case CastExpression c -> {
          ColumnType type = ColumnType.fromEngineName(c.getColDataType().toString(), false);
          yield type == ColumnType.OTHER
              ? new ValueSource.Expression(c.toString())
              : new ValueSource.Literal(type, null);
        }
        case TimeKeyExpression t ->
            new ValueSource.Literal(
                switch (t.getStringValue().toLowerCase(Locale.ROOT)) {
                  case "current_date" -> ColumnType.DATE;
                  case "localtimestamp" -> ColumnType.TIMESTAMP;
                  default -> ColumnType.TIMESTAMPTZ;
                },
                null);
        case Function f when f.getName().equalsIgnoreCase("now") ->
            new ValueSource.Literal(ColumnType.TIMESTAMPTZ, null);
        default -> {
          walkExpression(e, "select");
          yield new ValueSource.Expression(SqlText.excerpt(e.toString(), 60));
        }
      };
    }

    Plan update(Update update) {
      String table = managedTable(update.getTable());
      checkReturning(update.getReturningClause());
      if (table == null) {
        return other();
      }
      boolean exists = schema.containsKey(table);
      scopes++;
      inScope(table, update.getTable().getAlias());
      if (update.getFromItem() != null) {
        walkFrom(update.getFromItem());
      }
      if (update.getJoins() != null) {
        for (Join join : update.getJoins()) {
          walkFrom(join.getRightItem());
          for (Expression on : join.getOnExpressions()) {
            walkExpression(on, "join");
          }
        }
      }
      for (UpdateSet set : update.getUpdateSets()) {
        ExpressionList<?> values = set.getValues();
        for (int i = 0; i < set.getColumns().size(); i++) {
          String column = name(set.getColumns().get(i).getColumnName());
          uses.add(new Use(table, column, UseKind.UPDATE));
          Expression value = i < values.size() ? values.get(i) : null;
          if (value != null) {
            writes.add(new ColumnWrite(table, column, source(value)));
          }
        }
      }
      walkExpression(update.getWhere(), "filter");
      walkReturning(update.getReturningClause());
      return finish(Kind.UPDATE, update, table, !exists, null);
    }

    Plan delete(Delete delete) {
      String table = managedTable(delete.getTable());
      checkReturning(delete.getReturningClause());
      if (table == null) {
        return other();
      }
      if (!schema.containsKey(table)) {
        return noop("DELETE 0", "table " + table + " does not exist yet: nothing to delete");
      }
      scopes++;
      inScope(table, delete.getTable().getAlias());
      walkExpression(delete.getWhere(), "filter");
      walkReturning(delete.getReturningClause());
      return finish(Kind.DELETE, delete, table, false, null);
    }

    void checkReturning(ReturningClause returning) {
      if (returning != null) {
        checkItems(returning, "RETURNING");
      }
    }

    void walkReturning(ReturningClause returning) {
      if (returning != null) {
        for (SelectItem<?> item : returning) {
          if (item.getExpression() instanceof Column column) {
            bareSelectItems.put(column, item);
          }
          walkExpression(item.getExpression(), "returning");
        }
      }
    }

    boolean writtenHere(String table, String column) {
      for (ColumnWrite write : writes) {
        if (write.table().equals(table) && write.column().equals(column)) {
          return true;
        }
      }
      return false;
    }

    // ---- DDL

    Plan createTable(CreateTable create) {
      String table = managedTable(create.getTable());
      if (create.getColumnDefinitions() != null && table != null) {
        for (ColumnDefinition def : create.getColumnDefinitions()) {
          String specs = def.getColumnSpecs() == null ? "" : String.join(" ", def.getColumnSpecs());
          Matcher m = REFERENCES.matcher(specs);
          if (m.find()) {
            foreignKeys.add(
                new ForeignKey(
                    table, name(def.getColumnName()), lastPart(m.group(1)), name(m.group(2))));
          }
        }
      }
      if (table != null) {
        Matcher m = TABLE_FOREIGN_KEY.matcher(SqlText.masked(sql));
        while (m.find()) {
          foreignKeys.add(
              new ForeignKey(table, name(m.group(1)), lastPart(m.group(2)), name(m.group(3))));
        }
      }
      return Plan.withoutUses(Kind.DDL, sql, table, foreignKeys, List.of());
    }

    Plan createTableText(String table) {
      String masked = SqlText.masked(sql);
      if (managedTable(new Table(table)) == null) {
        return other();
      }
      Matcher column = COLUMN_REFERENCES.matcher(masked);
      while (column.find()) {
        foreignKeys.add(
            new ForeignKey(
                table, name(column.group(1)), lastPart(column.group(2)), name(column.group(3))));
      }
      Matcher m = TABLE_FOREIGN_KEY.matcher(masked);
      while (m.find()) {
        foreignKeys.add(
            new ForeignKey(table, name(m.group(1)), lastPart(m.group(2)), name(m.group(3))));
      }
      return Plan.withoutUses(Kind.DDL, sql, table, foreignKeys, List.of());
    }

    String lastPart(String qualified) {
      int dot = qualified.lastIndexOf('.');
      return name(dot < 0 ? qualified : qualified.substring(dot + 1));
    }

    Plan alter() {
      String masked = SqlText.masked(sql);
      if (Pattern.compile("(?i)\\bRENAME\\b").matcher(masked).find()) {
        throw Errors.namesArePermanent("RENAME", sql);
      }
      Matcher m = ALTER_TABLE.matcher(masked);
      if (!m.matches()) {
        return other();
      }
      String table = lastPart(m.group(1));
      String notNullColumn = null;
      for (String action : splitTopLevel(m.group(2))) {
        Matcher drop = DROP_ACTION.matcher(action);
        if (drop.matches()) {
          throw Errors.namesArePermanent("DROP COLUMN " + name(drop.group(1)), sql);
        }
        Matcher type = ALTER_TYPE.matcher(action);
        if (type.matches()) {
          String column = name(type.group(1));
          String target = type.group(2).strip();
          ColumnType from = columnType(table, column);
          ColumnType to = ColumnType.fromEngineName(target, false);
          if (from != null && (to == ColumnType.OTHER || !from.widensTo(to))) {
            throw Errors.narrowing(table, column, from, target, sql);
          }
          continue;
        }
        Matcher notNull = SET_NOT_NULL.matcher(action);
        if (notNull.matches()) {
          notNullColumn = name(notNull.group(1));
          continue;
        }
        Matcher add = ADD_COLUMN.matcher(action);
        if (add.matches()) {
          Matcher ref = REFERENCES.matcher(add.group(2));
          if (ref.find()) {
            foreignKeys.add(
                new ForeignKey(
                    table, name(add.group(1)), lastPart(ref.group(1)), name(ref.group(2))));
          }
          continue;
        }
        Matcher fk = TABLE_FOREIGN_KEY.matcher(action);
        if (fk.find()) {
          foreignKeys.add(
              new ForeignKey(table, name(fk.group(1)), lastPart(fk.group(2)), name(fk.group(3))));
        }
      }
      if (notNullColumn != null) {
        return Plan.withoutUses(
            Kind.SET_NOT_NULL,
            sql,
            table,
            foreignKeys,
            List.of(new ColumnRef(table, notNullColumn)));
      }
      return Plan.withoutUses(Kind.DDL, sql, table, foreignKeys, List.of());
    }

    ColumnType columnType(String table, String column) {
      Map<String, ColumnType> columns = schema.get(table);
      return columns == null ? null : columns.get(column);
    }

    Plan drop(Drop drop) {
      String type = drop.getType() == null ? "" : drop.getType().toUpperCase(Locale.ROOT);
      if (type.equals("INDEX")) {
        return noop(
            "DROP INDEX",
            "DROP INDEX accepted as a no-op: indexes are automatic and one unused for the"
                + " retention period is dropped by the layer");
      }
      throw Errors.namesArePermanent("DROP " + type + " " + drop.getName(), sql);
    }
  }

  private static final Pattern WORD = Pattern.compile("\"(?:[^\"]|\"\")+\"|[A-Za-z_][\\w$]*");
  private static final Pattern CATALOG_NAME =
      Pattern.compile("(?i)\\b(?:pg_catalog|information_schema)\\s*\\.|\\bpg_[a-z_]+\\b");

  /**
   * Whether a statement the parser could not read is a query of the engines' catalogs only: it
   * starts with SELECT or WITH, names a catalog, and no word of it names one of the application's
   * tables.
   */
  boolean readsOnlyCatalogs(String sql) {
    String first = SqlText.firstWord(sql);
    if (!first.equals("SELECT") && !first.equals("WITH")) {
      return false;
    }
    String masked = SqlText.masked(sql);
    if (!CATALOG_NAME.matcher(masked).find()) {
      return false;
    }
    Matcher words = WORD.matcher(masked);
    while (words.find()) {
      if (schema.containsKey(name(words.group()))) {
        return false;
      }
    }
    return true;
  }

  /** Whether every table {@code select} names is an engine's catalog, and it names at least one. */
  static boolean readsOnlyEngineCatalogs(Select select) {
    java.util.Set<String> tables;
    try {
      tables = new net.sf.jsqlparser.util.TablesNamesFinder<Void>().getTables((Statement) select);
    } catch (RuntimeException e) {
      return false; // a form the finder does not know: the house rules apply
    }
    if (tables.isEmpty()) {
      return false;
    }
    for (String qualified : tables) {
      String[] parts = qualified.split("\\.");
      Table table =
          parts.length == 1
              ? new Table(parts[0])
              : new Table(parts[parts.length - 2], parts[parts.length - 1]);
      if (managedTable(table) != null) {
        return false;
      }
    }
    return true;
  }

  static boolean isDollarQuoted(Column column) {
    String raw = column.getColumnName();
    return column.getTable() == null
        && raw != null
        && raw.length() >= 4
        && raw.charAt(0) == '$'
        && raw.endsWith("$")
        && raw.indexOf('$', 1) < raw.length() - 1;
  }

  static String dollarQuotedBody(String quoted) {
    int open = quoted.indexOf('$', 1) + 1;
    String tag = quoted.substring(0, open);
    return quoted.substring(open, quoted.length() - tag.length());
  }

  static List<String> splitTopLevel(String actions) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < actions.length(); i++) {
      char c = actions.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(actions.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(actions.substring(start).strip());
    return out;
  }

  static String quoteIfNeeded(String identifier) {
    if (identifier.matches("[a-z_][a-z0-9_]*")) {
      return identifier;
    }
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
