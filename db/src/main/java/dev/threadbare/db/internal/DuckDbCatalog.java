package dev.threadbare.db.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's catalog on DuckDB, as the clients query it (psql's meta-commands, SQLAlchemy's
 * reflection, pgjdbc's {@code DatabaseMetaData}, Sequelize's {@code sync}): temporary views and
 * macros on each session's connection ({@link #install}) that answer {@code pg_class}, {@code
 * pg_attribute}, {@code pg_constraint}, {@code pg_roles}… from DuckDB's own catalog functions, and
 * the rewrites of the text DuckDB cannot read ({@link #rewrite}: {@code ::regclass} and friends,
 * PostgreSQL's unanchored {@code ~}, {@code pg_catalog.} qualifiers).
 *
 * <p>What a tenant sees is its own database only: each logical database is a DuckDB instance of its
 * own, every view is filtered to {@code current_database()}, the schema {@code main} answers as
 * PostgreSQL's {@code public}, and the one role is the database's ({@code tb_<database>}, as the
 * PostgreSQL engine names it). Temporary objects live in the connection alone, so nothing a session
 * does to them reaches another. Stateless.
 */
final class DuckDbCatalog {
  private DuckDbCatalog() {}

  /** PostgreSQL's type name (pg_type.typname) for each type the layer knows. */
  private static String typname(ColumnType t) {
    return switch (t) {
      case SMALLINT -> "int2";
      case INTEGER -> "int4";
      case BIGINT -> "int8";
      case NUMERIC -> "numeric";
      case REAL -> "float4";
      case DOUBLE -> "float8";
      case TEXT -> "text";
      case VARCHAR -> "varchar";
      case BOOLEAN -> "bool";
      case DATE -> "date";
      case TIMESTAMP -> "timestamp";
      case TIMESTAMPTZ -> "timestamptz";
      case BYTEA -> "bytea";
      case TIME -> "time";
      case INTERVAL -> "interval";
      case UUID -> "uuid";
      case JSON -> "json";
      case JSONB -> "jsonb";
      case SMALLINT_ARRAY -> "_int2";
      case INTEGER_ARRAY -> "_int4";
      case BIGINT_ARRAY -> "_int8";
      case TEXT_ARRAY -> "_text";
      case BOOLEAN_ARRAY -> "_bool";
      case DOUBLE_ARRAY -> "_float8";
      case NUMERIC_ARRAY -> "_numeric";
      case OTHER -> null;
    };
  }

  /** What {@code format_type} answers (PostgreSQL's SQL spelling). */
  private static String formatName(ColumnType t) {
    return switch (t) {
      case TIMESTAMP -> "timestamp without time zone";
      case TIMESTAMPTZ -> "timestamp with time zone";
      case TIME -> "time without time zone";
      case VARCHAR -> "character varying";
      default -> t.displayName();
    };
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** pg_type's rows: the types the layer maps, plus oid and name, which the catalogs use. */
  private static String typeRows() {
    List<String> rows = new ArrayList<>();
    for (ColumnType t : ColumnType.values()) {
      String name = typname(t);
      if (name == null) {
        continue;
      }
      String element = "0";
      if (t.isArray()) {
        element = String.valueOf(ColumnType.fromEngineName(name.substring(1), false).oid());
      }
      String array = "0";
      for (ColumnType a : ColumnType.values()) {
        if (a.isArray() && typname(a).equals("_" + name)) {
          array = String.valueOf(a.oid());
        }
      }
      rows.add(
          "("
              + t.oid()
              + ", "
              + quote(name)
              + ", "
              + quote(formatName(t))
              + ", "
              + (t.isArray() ? "'A'" : t.isNumeric() ? "'N'" : t.isText() ? "'S'" : "'U'")
              + ", "
              + element
              + ", "
              + array
              + ", "
              + (t.isText() ? 100 : 0)
              + ")");
    }
    rows.add("(26, 'oid', 'oid', 'N', 0, 0, 0)");
    rows.add("(19, 'name', 'name', 'S', 0, 0, 0)");
    rows.add("(18, 'char', '\"char\"', 'S', 0, 0, 0)");
    rows.add("(22, 'int2vector', 'int2vector', 'A', 21, 0, 0)");
    return String.join(",\n ", rows);
  }

  /** A DuckDB type name → PostgreSQL's type OID, as the layer maps result columns. */
  private static String typeOidCase() {
    Map<String, Integer> byDuckName = new LinkedHashMap<>();
    for (ColumnType t : ColumnType.values()) {
      if (t != ColumnType.OTHER && t != ColumnType.NUMERIC && t != ColumnType.NUMERIC_ARRAY) {
        byDuckName.putIfAbsent(t.ddlName(true), t.oid());
      }
    }
    StringBuilder sql = new StringBuilder("CASE");
    byDuckName.forEach(
        (duck, oid) -> sql.append(" WHEN t = ").append(quote(duck)).append(" THEN ").append(oid));
    sql.append(" WHEN t IN ('TINYINT', 'UTINYINT', 'USMALLINT') THEN 21")
        .append(" WHEN t = 'UINTEGER' THEN 20")
        .append(" WHEN t LIKE 'DECIMAL(%)[]' THEN ")
        .append(ColumnType.NUMERIC_ARRAY.oid())
        .append(" WHEN t LIKE 'DECIMAL(%' OR t IN ('HUGEINT', 'UBIGINT', 'UHUGEINT') THEN ")
        .append(ColumnType.NUMERIC.oid())
        .append(" ELSE 25 END");
    return sql.toString();
  }

  /** The temporary views and macros, in creation order. */
  static List<String> definitions() {
    List<String> d = new ArrayList<>();
    // the tenant's schema and role
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_public_oid() AS (SELECT oid FROM duckdb_schemas()"
            + " WHERE database_name = current_database() AND schema_name = 'main')");
    d.add("CREATE OR REPLACE TEMP MACRO tb_role() AS 'tb_' || current_database()");
    // what clients parse (knex reads the column named version) and where they look for tables
    d.add("CREATE OR REPLACE TEMP MACRO version() AS " + quote(DuckDbDialect.VERSION));
    d.add("CREATE OR REPLACE TEMP MACRO current_schema() AS 'public'");
    d.add("CREATE OR REPLACE TEMP MACRO tb_type_oid(t) AS " + typeOidCase());
    d.add(
        "CREATE OR REPLACE TEMP VIEW tb_types AS SELECT * FROM (VALUES "
            + typeRows()
            + ") AS v(oid, typname, formatname, typcategory, typelem, typarray, typcollation)");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_namespace AS"
            + " SELECT tb_public_oid() AS oid, 'public' AS nspname, 10 AS nspowner,"
            + " CAST(NULL AS VARCHAR[]) AS nspacl"
            + " UNION ALL SELECT 11, 'pg_catalog', 10, NULL"
            + " UNION ALL SELECT 13000, 'information_schema', 10, NULL");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_roles AS SELECT 10 AS oid, tb_role() AS rolname,"
            + " false AS rolsuper, true AS rolinherit, false AS rolcreaterole, false AS"
            + " rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,"
            + " '********' AS rolpassword, CAST(NULL AS TIMESTAMPTZ) AS rolvaliduntil, false AS"
            + " rolbypassrls, CAST(NULL AS VARCHAR[]) AS rolconfig");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_user AS SELECT rolname AS usename, oid AS usesysid,"
            + " rolcreatedb AS usecreatedb, rolsuper AS usesuper, false AS userepl, false AS"
            + " usebypassrls, rolpassword AS passwd, rolvaliduntil AS valuntil, rolconfig AS"
            + " useconfig FROM pg_roles");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_auth_members AS SELECT 0 AS oid, 0 AS roleid, 0 AS"
            + " member, 0 AS grantor, false AS admin_option WHERE false");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_database AS SELECT database_oid AS oid, database_name AS"
            + " datname, 10 AS datdba, 6 AS encoding, 'c' AS datlocprovider, false AS"
            + " datistemplate, true AS datallowconn, -1 AS datconnlimit, 'C' AS datcollate, 'C'"
            + " AS datctype, CAST(NULL AS VARCHAR) AS daticulocale, 0 AS dattablespace,"
            + " CAST(NULL AS VARCHAR[]) AS datacl FROM duckdb_databases()"
            + " WHERE database_name = current_database()");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_userbyid(r) AS CASE WHEN r = 10 THEN tb_role() ELSE 'unknown (OID=' || r || ')' END");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_encoding_to_char(e) AS CASE WHEN e = 6 THEN 'UTF8' ELSE '' END");
    // relations: the tenant's tables, views, sequences and indexes (the PRIMARY KEY and UNIQUE
    // constraints' indexes, which DuckDB keeps inside the table, included)
    d.add(
        "CREATE OR REPLACE TEMP VIEW tb_constraints AS SELECT table_oid * 1000000 +"
            + " constraint_index * 2 AS oid, table_oid, table_name, constraint_index,"
            + " constraint_type, constraint_column_indexes AS cols, constraint_column_names AS"
            + " names, expression, referenced_table, referenced_column_names,"
            + " CASE constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u'"
            + " WHEN 'FOREIGN KEY' THEN 'f' WHEN 'CHECK' THEN 'c' ELSE 'x' END AS contype,"
            + " CASE constraint_type WHEN 'PRIMARY KEY' THEN table_name || '_pkey'"
            + " WHEN 'UNIQUE' THEN table_name || '_' || array_to_string(constraint_column_names,"
            + " '_') || '_key' WHEN 'FOREIGN KEY' THEN table_name || '_' ||"
            + " array_to_string(constraint_column_names, '_') || '_fkey' ELSE table_name || '_'"
            + " || array_to_string(constraint_column_names, '_') || '_check' END AS conname"
            + " FROM duckdb_constraints() WHERE database_name = current_database() AND"
            + " schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN"
            + " KEY', 'CHECK')");
    d.add(
        "CREATE OR REPLACE TEMP VIEW tb_index_columns AS"
            + " WITH ix AS (SELECT index_oid, table_oid, string_split(trim(expressions, '[]'),"
            + " ', ') AS cols FROM duckdb_indexes() WHERE database_name = current_database()),"
            + " k AS (SELECT index_oid, table_oid, unnest(cols) AS col,"
            + " generate_subscripts(cols, 1) AS ord FROM ix)"
            + " SELECT k.index_oid, string_agg(CAST(c.column_index AS VARCHAR), ' ' ORDER BY"
            + " k.ord) AS indkey, string_agg(c.column_name, ', ' ORDER BY k.ord) AS names,"
            + " count(*) AS n FROM k JOIN duckdb_columns() c ON c.table_oid = k.table_oid AND"
            + " c.database_name = current_database() AND c.column_name = trim(k.col, '\"')"
            + " GROUP BY k.index_oid");
    d.add(
        "CREATE OR REPLACE TEMP VIEW tb_indexes AS"
            + " SELECT i.index_oid AS oid, i.index_name AS name, i.table_oid, i.table_name,"
            + " i.is_unique, false AS is_primary, coalesce(k.indkey, '') AS indkey,"
            + " coalesce(k.names, trim(i.expressions, '[]')) AS names, coalesce(k.n, 1) AS n,"
            + " 0 AS conoid FROM duckdb_indexes() i LEFT JOIN tb_index_columns k ON"
            + " k.index_oid = i.index_oid WHERE i.database_name = current_database()"
            + " UNION ALL SELECT oid + 1, conname, table_oid, table_name, true, contype = 'p',"
            + " array_to_string(list_transform(cols, x -> x + 1), ' '),"
            + " array_to_string(names, ', '), len(cols), oid FROM tb_constraints"
            + " WHERE contype IN ('p', 'u')");
    String relationColumns =
        " 0 AS reltype, 0 AS reloftype, 10 AS relowner, 0 AS relfilenode, 0 AS reltablespace,"
            + " 0 AS relpages, 0 AS relallvisible, 0 AS reltoastrelid, false AS relisshared,"
            + " 'p' AS relpersistence, false AS relhasrules, false AS relhastriggers, false AS"
            + " relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity, true AS"
            + " relispopulated, 'd' AS relreplident, false AS relispartition, 0 AS relrewrite,"
            + " CAST(NULL AS VARCHAR[]) AS relacl, CAST(NULL AS VARCHAR[]) AS reloptions,"
            + " CAST(NULL AS VARCHAR) AS relpartbound, false AS relhasoids";
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_class AS"
            + " SELECT table_oid AS oid, table_name AS relname, tb_public_oid() AS relnamespace,"
            + " 'r' AS relkind, 2 AS relam, CAST(column_count AS SMALLINT) AS relnatts,"
            + " CAST(check_constraint_count AS SMALLINT) AS relchecks, index_count > 0 AS"
            + " relhasindex, CAST(estimated_size AS REAL) AS reltuples,"
            + relationColumns
            + " FROM duckdb_tables() WHERE database_name = current_database() AND schema_name ="
            + " 'main' AND NOT internal"
            + " UNION ALL SELECT view_oid, view_name, tb_public_oid(), 'v', 0,"
            + " CAST(column_count AS SMALLINT), 0, false, 0,"
            + relationColumns
            + " FROM duckdb_views() WHERE database_name = current_database() AND schema_name ="
            + " 'main' AND NOT internal"
            + " UNION ALL SELECT sequence_oid, sequence_name, tb_public_oid(), 'S', 0, 3, 0,"
            + " false, 1,"
            + relationColumns
            + " FROM duckdb_sequences() WHERE database_name = current_database() AND"
            + " schema_name = 'main'"
            + " UNION ALL SELECT oid, name, tb_public_oid(), 'i', 403, CAST(n AS SMALLINT), 0,"
            + " false, 0,"
            + relationColumns
            + " FROM tb_indexes");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_am AS SELECT * FROM (VALUES (2, 'heap', 't'), (403,"
            + " 'btree', 'i')) AS v(oid, amname, amtype)");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_attribute AS SELECT c.table_oid AS attrelid,"
            + " c.column_name AS attname, tb_type_oid(c.data_type) AS atttypid, -1 AS"
            + " attstattarget, CAST(-1 AS SMALLINT) AS attlen, CAST(c.column_index AS SMALLINT)"
            + " AS attnum, CASE WHEN c.data_type LIKE '%[]' THEN 1 ELSE 0 END AS attndims,"
            + " CASE WHEN c.data_type LIKE 'DECIMAL(%' AND c.data_type NOT LIKE '%[]' AND"
            + " c.data_type <> '"
            + DuckDbDialect.NUMERIC
            + "' THEN c.numeric_precision * 65536 + c.numeric_scale + 4 ELSE -1 END AS"
            + " atttypmod, NOT c.is_nullable AS attnotnull, c.column_default IS NOT NULL AS"
            + " atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated,"
            + " false AS attisdropped, true AS attislocal, 0 AS attinhcount, 0 AS attcollation,"
            + " false AS attbyval, 'p' AS attstorage, 'i' AS attalign,"
            + " CAST(NULL AS VARCHAR[]) AS attacl, CAST(NULL AS VARCHAR[]) AS attoptions"
            + " FROM duckdb_columns() c WHERE c.database_name = current_database() AND"
            + " c.schema_name = 'main' AND NOT c.internal");
    // a serial column's default reads as PostgreSQL writes it
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_attrdef AS SELECT table_oid * 10000 + column_index AS"
            + " oid, table_oid AS adrelid, CAST(column_index AS SMALLINT) AS adnum,"
            + " regexp_replace(column_default, 'nextval\\(''([^'']*)''\\)',"
            + " 'nextval(''\\1''::regclass)', 'g') AS adbin FROM duckdb_columns()"
            + " WHERE database_name = current_database() AND schema_name = 'main' AND"
            + " column_default IS NOT NULL");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_type AS SELECT oid, typname, 11 AS typnamespace, 10 AS"
            + " typowner, CAST(-1 AS SMALLINT) AS typlen, false AS typbyval, CASE WHEN"
            + " typcategory = 'A' THEN 'b' ELSE 'b' END AS typtype, typcategory, false AS"
            + " typispreferred, true AS typisdefined, ',' AS typdelim, 0 AS typrelid, typelem,"
            + " typarray, 0 AS typbasetype, -1 AS typtypmod, 0 AS typndims, typcollation, false"
            + " AS typnotnull, CAST(NULL AS VARCHAR) AS typdefault, CAST(NULL AS VARCHAR) AS"
            + " typdefaultbin, 'i' AS typalign, 'p' AS typstorage, CAST(NULL AS VARCHAR[]) AS"
            + " typacl FROM tb_types");
    d.add(
        "CREATE OR REPLACE TEMP MACRO format_type(t, m) AS (SELECT CASE WHEN t IS NULL THEN"
            + " NULL WHEN m >= 4 AND t = 1700 THEN 'numeric(' || ((m - 4) // 65536) || ',' ||"
            + " ((m - 4) % 65536) || ')' WHEN m >= 4 AND t = 1043 THEN 'character varying(' ||"
            + " (m - 4) || ')' ELSE coalesce((SELECT formatname FROM tb_types y WHERE y.oid ="
            + " t), '???') END)");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_constraint AS SELECT oid, conname, tb_public_oid() AS"
            + " connamespace, contype, false AS condeferrable, false AS condeferred, true AS"
            + " convalidated, table_oid AS conrelid, 0 AS contypid, CASE WHEN contype IN ('p',"
            + " 'u') THEN oid + 1 ELSE 0 END AS conindid, 0 AS conparentid, coalesce((SELECT"
            + " t.table_oid FROM duckdb_tables() t WHERE t.database_name = current_database() AND"
            + " t.schema_name = 'main' AND t.table_name = referenced_table), 0) AS confrelid,"
            + " 'a' AS confupdtype, 'a' AS confdeltype, 's' AS confmatchtype, true AS"
            + " conislocal, 0 AS coninhcount, true AS connoinherit, CAST(list_transform(cols, x"
            + " -> x + 1) AS SMALLINT[]) AS conkey, CAST(NULL AS SMALLINT[]) AS confkey,"
            + " CAST(NULL AS VARCHAR) AS conbin, CASE contype WHEN 'p' THEN 'PRIMARY KEY (' ||"
            + " array_to_string(names, ', ') || ')' WHEN 'u' THEN 'UNIQUE (' ||"
            + " array_to_string(names, ', ') || ')' WHEN 'f' THEN 'FOREIGN KEY (' ||"
            + " array_to_string(names, ', ') || ') REFERENCES ' || referenced_table || '(' ||"
            + " array_to_string(referenced_column_names, ', ') || ')' ELSE 'CHECK (' ||"
            + " coalesce(expression, '') || ')' END AS tb_def FROM tb_constraints");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_constraintdef(c) AS (SELECT tb_def FROM"
            + " pg_constraint WHERE oid = c), (c, p) AS (SELECT tb_def FROM pg_constraint WHERE"
            + " oid = c)");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_index AS SELECT oid AS indexrelid, table_oid AS"
            + " indrelid, CAST(n AS SMALLINT) AS indnatts, CAST(n AS SMALLINT) AS indnkeyatts,"
            + " is_unique AS indisunique, is_primary AS indisprimary, false AS indisexclusion,"
            + " true AS indimmediate, false AS indisclustered, true AS indisvalid, false AS"
            + " indcheckxmin, true AS indisready, true AS indislive, false AS indisreplident,"
            + " indkey, trim(repeat('0 ', CAST(n AS INTEGER))) AS indcollation,"
            + " trim(repeat('0 ', CAST(n AS INTEGER))) AS indclass, trim(repeat('0 ', CAST(n AS"
            + " INTEGER))) AS indoption, CAST(NULL AS VARCHAR) AS indexprs, CAST(NULL AS"
            + " VARCHAR) AS indpred FROM tb_indexes");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_indexdef(i) AS (SELECT 'CREATE ' || CASE WHEN"
            + " is_unique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || name || ' ON public.' ||"
            + " table_name || ' USING btree (' || names || ')' FROM tb_indexes WHERE oid = i),"
            + " (i, c, p) AS (SELECT CASE WHEN c = 0 THEN 'CREATE ' || CASE WHEN is_unique THEN"
            + " 'UNIQUE ' ELSE '' END || 'INDEX ' || name || ' ON public.' || table_name || '"
            + " USING btree (' || names || ')' ELSE string_split(names, ', ')[c] END FROM"
            + " tb_indexes WHERE oid = i)");
    d.add("CREATE OR REPLACE TEMP MACRO pg_get_expr(e, r) AS e, (e, r, p) AS e");
    d.add("CREATE OR REPLACE TEMP MACRO array_upper(a, d) AS CASE WHEN d = 1 THEN len(a) END");
    d.add(
        "CREATE OR REPLACE TEMP MACRO array_lower(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN 1 END");
    d.add("CREATE OR REPLACE TEMP MACRO pg_table_is_visible(r) AS true");
    d.add("CREATE OR REPLACE TEMP MACRO pg_type_is_visible(t) AS true");
    d.add("CREATE OR REPLACE TEMP MACRO pg_function_is_visible(f) AS true");
    d.add("CREATE OR REPLACE TEMP MACRO pg_relation_is_publishable(r) AS false");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_statisticsobjdef_columns(o) AS CAST(NULL AS VARCHAR)");
    d.add("CREATE OR REPLACE TEMP MACRO pg_get_triggerdef(o, p) AS CAST(NULL AS VARCHAR)");
    // a table that is no partition is its own only ancestor
    d.add("CREATE OR REPLACE TEMP MACRO pg_partition_ancestors(r) AS r");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_serial_sequence(t, c) AS (SELECT 'public.' ||"
            + " sequence_name FROM duckdb_sequences() WHERE database_name = current_database()"
            + " AND sequence_name = regexp_replace(CAST(t AS VARCHAR), '^.*\\.', '') || '_' ||"
            + " c || '_seq')");
    // the ::regclass casts the rewrite turns into calls: a name or an oid
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_regclass_oid(x) AS coalesce((SELECT oid FROM pg_class"
            + " WHERE CAST(oid AS VARCHAR) = CAST(x AS VARCHAR) OR relname ="
            + " regexp_replace(trim(CAST(x AS VARCHAR), '\"'), '^.*\\.\"?', '') LIMIT 1),"
            + " CASE regexp_replace(CAST(x AS VARCHAR), '^pg_catalog\\.', '') WHEN 'pg_class'"
            + " THEN 1259 WHEN 'pg_proc' THEN 1255 WHEN 'pg_type' THEN 1247 WHEN 'pg_trigger'"
            + " THEN 2620 WHEN 'pg_constraint' THEN 2606 WHEN 'pg_namespace' THEN 2615 END)");
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_regclass_name(x) AS coalesce((SELECT relname FROM"
            + " pg_class WHERE CAST(oid AS VARCHAR) = CAST(x AS VARCHAR) LIMIT 1), CAST(x AS"
            + " VARCHAR))");
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_regtype_name(x) AS coalesce((SELECT typname FROM"
            + " tb_types WHERE CAST(oid AS VARCHAR) = CAST(x AS VARCHAR)), CAST(x AS VARCHAR))");
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_regnamespace_name(x) AS coalesce((SELECT nspname FROM"
            + " pg_namespace WHERE CAST(oid AS VARCHAR) = CAST(x AS VARCHAR)), CAST(x AS"
            + " VARCHAR))");
    d.add(
        "CREATE OR REPLACE TEMP MACRO tb_int2vector(v) AS CAST(string_split(nullif(v, ''), ' ') AS SMALLINT[])");
    // functions: the tenant's own macros (DuckDB has no other kind it could create)
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_proc AS SELECT function_oid AS oid, function_name AS"
            + " proname, tb_public_oid() AS pronamespace, 10 AS proowner, 'f' AS prokind, false"
            + " AS proretset, 0 AS prorettype, CAST(len(parameters) AS SMALLINT) AS pronargs,"
            + " array_to_string(parameters, ', ') AS tb_arguments, false AS proisagg, 'v' AS"
            + " provolatile, CAST(NULL AS VARCHAR) AS prosrc FROM duckdb_functions() WHERE"
            + " database_name = current_database() AND schema_name = 'main' AND NOT internal");
    d.add("CREATE OR REPLACE TEMP MACRO pg_get_function_result(f) AS 'unknown'");
    d.add(
        "CREATE OR REPLACE TEMP MACRO pg_get_function_arguments(f) AS (SELECT tb_arguments"
            + " FROM pg_proc WHERE oid = f)");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_sequence AS SELECT sequence_oid AS seqrelid, 20 AS"
            + " seqtypid, start_value AS seqstart, increment_by AS seqincrement, max_value AS"
            + " seqmax, min_value AS seqmin, 1 AS seqcache, cycle AS seqcycle FROM"
            + " duckdb_sequences() WHERE database_name = current_database()");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_tables AS SELECT 'public' AS schemaname, relname AS"
            + " tablename, tb_role() AS tableowner, CAST(NULL AS VARCHAR) AS tablespace,"
            + " relhasindex AS hasindexes, false AS hasrules, false AS hastriggers, false AS"
            + " rowsecurity FROM pg_class WHERE relkind = 'r'");
    d.add(
        "CREATE OR REPLACE TEMP VIEW pg_indexes AS SELECT 'public' AS schemaname, table_name AS"
            + " tablename, name AS indexname, CAST(NULL AS VARCHAR) AS tablespace,"
            + " pg_get_indexdef(oid) AS indexdef FROM tb_indexes");
    // what the tenant cannot have on DuckDB: empty, with the columns clients read
    empty(
        d,
        "pg_description",
        "objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR");
    empty(
        d,
        "pg_policy",
        "oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR");
    empty(
        d,
        "pg_statistic_ext",
        "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys VARCHAR, stxkind VARCHAR[]");
    empty(
        d, "pg_publication", "oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN");
    empty(d, "pg_publication_namespace", "oid BIGINT, pnpubid BIGINT, pnnspid BIGINT");
    empty(d, "pg_partitioned_table", "partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT");
    empty(d, "pg_foreign_table", "ftrelid BIGINT, ftserver BIGINT");
    empty(
        d,
        "pg_extension",
        "oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extversion VARCHAR");
    empty(
        d,
        "pg_publication_rel",
        "oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]");
    empty(
        d,
        "pg_trigger",
        "oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype INTEGER, tgenabled VARCHAR, tgisinternal BOOLEAN");
    empty(
        d,
        "pg_inherits",
        "inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN");
    empty(d, "pg_collation", "oid BIGINT, collname VARCHAR, collnamespace BIGINT");
    empty(d, "pg_enum", "oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR");
    empty(
        d,
        "pg_range",
        "rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT, rngcollation BIGINT");
    empty(
        d,
        "pg_depend",
        "classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT, refobjsubid INTEGER, deptype VARCHAR");
    empty(d, "pg_rewrite", "oid BIGINT, rulename VARCHAR, ev_class BIGINT");
    return List.copyOf(d);
  }

  private static void empty(List<String> d, String name, String columns) {
    StringBuilder select = new StringBuilder();
    for (String column : columns.split(",\\s*")) {
      String[] parts = column.split(" ", 2);
      select
          .append(select.isEmpty() ? "" : ", ")
          .append("CAST(NULL AS ")
          .append(parts[1])
          .append(") AS ")
          .append(parts[0]);
    }
    d.add("CREATE OR REPLACE TEMP VIEW " + name + " AS SELECT " + select + " WHERE false");
  }

  private static final List<String> DEFINITIONS = definitions();

  /** Creates the catalog's temporary objects on a new connection (outside any transaction). */
  static void install(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      for (String definition : DEFINITIONS) {
        s.execute(definition);
      }
    }
  }

  // ::regclass and the like, with what they cast
  private static final Pattern REG_CAST =
      Pattern.compile(
          "(?i)\\s*::\\s*(?:pg_catalog\\s*\\.\\s*)?(regclass|regtype|regnamespace)(?![\\w$])"
              + "(\\s*::\\s*(?:pg_catalog\\s*\\.\\s*)?(oid|text|varchar|name)(?![\\w$]))?");
  private static final Pattern QUALIFIER =
      Pattern.compile("(?i)(?<![\\w\"$.])pg_catalog\\s*\\.\\s*(?=[a-z_\"])");
  private static final Pattern NAME_TYPE = Pattern.compile("(?i)::\\s*name(?![\\w\"$(])");
  private static final Pattern REGEX_MATCH =
      Pattern.compile("(?<![~!])(!?)~(\\*?)(?![~*])(\\s*)'((?:[^']|'')*)'");
  private static final Pattern VECTOR_USE =
      Pattern.compile(
          "(?i)(\\b(?:unnest|any|generate_subscripts)\\s*\\(\\s*)((?:[a-z_][\\w$]*\\s*\\.\\s*)?(?:indkey|indoption|indclass|indcollation))(?![\\w$])");
  // x = ANY(list column): DuckDB reads ANY in a join condition as a subquery
  private static final Pattern ANY_LIST =
      Pattern.compile(
          "(?i)((?:[a-z_][\\w$]*\\s*\\.\\s*)?[a-z_][\\w$]*)\\s*=\\s*ANY\\s*\\(\\s*((?:[a-z_][\\w$]*\\s*\\.\\s*)?(indkey|indoption|conkey|confkey))\\s*\\)");
  // PostgreSQL's name[] reaches clients unparsed ({a,b}): array_agg of a catalog name column
  private static final Pattern NAME_ARRAY_AGG =
      Pattern.compile(
          "(?i)(?<![\\w\"$.])array_agg\\s*\\(\\s*((?:[a-z_][\\w$]*\\s*\\.\\s*)?(?:attname|relname|nspname|conname|typname|rolname|proname))\\s*\\)");
  // FROM generate_series(…) s: PostgreSQL reads s as the value, DuckDB as the row
  private static final Pattern SERIES_ALIAS =
      Pattern.compile(
          "(?i)(generate_series\\s*\\((?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*\\))\\s+(?:AS\\s+)?"
              + "(?!(?:where|join|on|order|group|limit|left|right|inner|cross|union|with)\\b)"
              + "([a-z_][\\w$]*)(?![\\w$]|\\s*\\()");
  private static final Pattern JSON_BUILD_OBJECT =
      Pattern.compile("(?i)(?<![\\w\"$.])json_build_object\\s*\\(");
  private static final Pattern ORDINALITY_ANCESTORS =
      Pattern.compile(
          "(?i)pg_partition_ancestors\\s*\\(([^()]*)\\)\\s+WITH\\s+ORDINALITY\\s+AS\\s+(\\w+)\\s*\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)");

  /** Whether a statement may need {@link #rewrite}: it names a catalog or uses {@code ~}. */
  static boolean mayNeed(String sql) {
    if (sql.indexOf('~') >= 0) {
      return true;
    }
    String lower = sql.toLowerCase(Locale.ROOT);
    return lower.contains("pg_") || lower.contains("::") || lower.contains("json_build_object");
  }

  /**
   * PostgreSQL's catalog text as DuckDB reads it against the temporary catalog: {@code pg_catalog.}
   * dropped (the temporary objects come first in DuckDB's search path, then DuckDB's own
   * functions), {@code x::regclass} as a lookup, {@code ~ 'pattern'} unanchored as in PostgreSQL
   * (DuckDB's {@code ~} matches the whole string), int2vector columns as lists where they are
   * unnested, {@code json_build_object} as DuckDB's {@code json_object}.
   */
  static String rewrite(String sql) {
    String out =
        replace(
            sql,
            ORDINALITY_ANCESTORS,
            m ->
                "(SELECT "
                    + m.group(1)
                    + " AS "
                    + m.group(3)
                    + ", 1 AS "
                    + m.group(4)
                    + ") AS "
                    + m.group(2));
    out = regCasts(out);
    out = replace(out, QUALIFIER, m -> "");
    out = replace(out, NAME_TYPE, m -> "::VARCHAR");
    out =
        replace(
            out,
            ANY_LIST,
            m ->
                "list_contains("
                    + (m.group(3).toLowerCase(Locale.ROOT).startsWith("ind")
                        ? "tb_int2vector(" + m.group(2) + ")"
                        : m.group(2))
                    + ", "
                    + m.group(1)
                    + ")");
    out =
        replace(
            out,
            NAME_ARRAY_AGG,
            m -> "('{' || array_to_string(array_agg(" + m.group(1) + "), ',') || '}')");
    out = replace(out, VECTOR_USE, m -> m.group(1) + "tb_int2vector(" + m.group(2) + ")");
    out =
        replace(out, SERIES_ALIAS, m -> m.group(1) + " AS " + m.group(2) + "(" + m.group(2) + ")");
    out = replace(out, JSON_BUILD_OBJECT, m -> "json_object(");
    out =
        replace(
            out,
            REGEX_MATCH,
            m ->
                m.group(1)
                    + "~"
                    + m.group(3)
                    + "'"
                    + (m.group(2).isEmpty() ? "" : "(?i)")
                    + "(?s).*(?:"
                    + m.group(4)
                    + ").*'");
    return out;
  }

  private static String replace(
      String sql, Pattern pattern, java.util.function.Function<Matcher, String> replacement) {
    Matcher m = pattern.matcher(sql);
    if (!m.find()) {
      return sql;
    }
    String masked = SqlText.masked(sql);
    StringBuilder out = new StringBuilder(sql.length());
    int last = 0;
    int from = 0;
    while (from <= sql.length() && m.find(from)) {
      if (masked.charAt(m.start()) != sql.charAt(m.start())) {
        from = m.start() + 1; // inside a literal or comment: look again just after its start
        continue;
      }
      out.append(sql, last, m.start()).append(replacement.apply(m));
      last = m.end();
      from = Math.max(m.end(), m.start() + 1);
    }
    return last == 0 ? sql : out.append(sql, last, sql.length()).toString();
  }

  /**
   * {@code operand::regclass[::oid|::text]} as a call: an oid literal stays a number, a name
   * literal or {@code ::oid} becomes the relation's oid, anything else the relation's name (which
   * is how PostgreSQL prints a regclass).
   */
  private static String regCasts(String sql) {
    String out = sql;
    for (int guard = 0; guard < 100; guard++) {
      String masked = SqlText.masked(out);
      Matcher m = REG_CAST.matcher(out);
      int found = -1;
      while (m.find()) {
        if (masked.charAt(m.start() + m.group().indexOf(':')) == ':') {
          found = m.start();
          break;
        }
      }
      if (found < 0) {
        return out;
      }
      int start = operandStart(out, masked, found);
      String operand = out.substring(start, found).strip();
      String kind = m.group(1).toLowerCase(Locale.ROOT);
      String then = m.group(3) == null ? "" : m.group(3).toLowerCase(Locale.ROOT);
      String replacement;
      boolean literal = operand.startsWith("'") && operand.endsWith("'");
      String text = literal ? operand.substring(1, operand.length() - 1) : null;
      if (!kind.equals("regclass")) {
        replacement = "tb_" + kind + "_name(" + operand + ")";
      } else if (then.equals("oid") || (literal && then.isEmpty())) {
        replacement = literal && text.matches("\\d+") ? text : "tb_regclass_oid(" + operand + ")";
      } else {
        replacement = "tb_regclass_name(" + operand + ")";
      }
      out = out.substring(0, start) + replacement + out.substring(m.end());
    }
    return out;
  }

  /** Where the operand of a postfix cast ending at {@code end} starts. */
  private static int operandStart(String sql, String masked, int end) {
    int i = end;
    while (i > 0 && Character.isWhitespace(sql.charAt(i - 1))) {
      i--;
    }
    if (i > 0 && sql.charAt(i - 1) == '\'' && masked.charAt(i - 1) != '\'') {
      // a literal ends here: find where it starts
      int k = 0;
      while (k < i) {
        int skip = SqlText.skipQuoted(sql, k);
        if (skip > k) {
          if (skip == i) {
            return k;
          }
          k = skip;
        } else {
          k++;
        }
      }
      return i;
    }
    int depth = 0;
    while (i > 0) {
      char c = sql.charAt(i - 1);
      if (c == ')') {
        depth++;
      } else if (c == '(') {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (depth == 0
          && !(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '"' || c == '$')) {
        break;
      }
      i--;
    }
    return i;
  }
}
