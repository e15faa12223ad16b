package dev.threadbare.db.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Backups of one logical database, the same on both engines: a zip holding {@code manifest.json}
 * (the tables, their columns and types, row counts), {@code tables/<n>.jsonl} (one JSON array of
 * text values a row, bytea in base64) and {@code catalog.json} (the layer's memory of the database:
 * columns and the versions that made them, columns read before written, usage, automatic indexes).
 *
 * <p>The rows are read in one transaction (DuckDB's snapshot; PostgreSQL's {@code REPEATABLE
 * READ}), so a backup taken while writes run holds exactly the transactions committed before it
 * began. Not {@code pg_dump}: the embedded PostgreSQL ships no client binaries, DuckDB's {@code
 * EXPORT DATABASE} is refused by the layer's locked-down configuration (no file access), and one
 * format restores on either engine. Stateless; thread safe.
 */
public final class DatabaseBackups {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 1;
  private static final int BATCH = 1000;

  private DatabaseBackups() {}

  /** What a backup or restore handled. */
  public record Summary(String database, int tables, long rows, long bytes) {}

  /** Writes {@code database} to {@code out} (replaced atomically). */
  public static Summary backup(LayerContext context, String database, Path out) {
    Path partial = out.resolveSibling(out.getFileName() + ".partial");
    long rows = 0;
    int tables;
    try (Connection connection = context.engine.connect(database)) {
      if (!context.engine.isDuckDb()) {
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      connection.setAutoCommit(false);
      try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(partial))) {
        Map<String, Map<String, ColumnType>> schema = context.engine.loadSchema(connection);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("database", database);
        manifest.put("engine", context.engine.isDuckDb() ? "duckdb" : "postgresql");
        manifest.put("taken_at_millis", context.now());
        ArrayNode tableList = manifest.putArray("tables");
        int n = 0;
        for (Map.Entry<String, Map<String, ColumnType>> table : schema.entrySet()) {
          String entry = "tables/" + n++ + ".jsonl";
          long count = writeTable(connection, table.getKey(), table.getValue(), entry, zip);
          ObjectNode t = tableList.addObject();
          t.put("name", table.getKey());
          t.put("file", entry);
          t.put("rows", count);
          ArrayNode columns = t.putArray("columns");
          table.getValue().forEach((c, type) -> columns.addArray().add(c).add(type.name()));
          rows += count;
        }
        tables = schema.size();
        connection.commit();
        zip.putNextEntry(new ZipEntry("catalog.json"));
        zip.write(JSON.writeValueAsBytes(catalog(context.catalog, database)));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.closeEntry();
      }
      Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new Summary(database, tables, rows, Files.size(out));
    } catch (SQLException e) {
      throw context.engine.translate(e, "back up database " + database);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the backup " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // best effort: a leftover .partial is never read
      }
    }
  }

  private static long writeTable(
      Connection connection,
      String table,
      Map<String, ColumnType> columns,
      String entry,
      ZipOutputStream zip)
      throws SQLException, IOException {
    zip.putNextEntry(new ZipEntry(entry));
    BufferedWriter out =
        new BufferedWriter(new OutputStreamWriter(zip, StandardCharsets.UTF_8)) {
          @Override
          public void close() throws IOException {
            flush(); // the zip stays open
          }
        };
    List<ColumnType> types = List.copyOf(columns.values());
    long count = 0;
    try (Statement s = connection.createStatement()) {
      s.setFetchSize(BATCH);
      try (ResultSet rs = s.executeQuery("SELECT * FROM " + DuckDbEngine.quote(table))) {
        while (rs.next()) {
          ArrayNode row = JSON.createArrayNode();
          for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == ColumnType.BYTEA) {
              byte[] bytes = rs.getBytes(i + 1);
              row.add(bytes == null ? null : Base64.getEncoder().encodeToString(bytes));
            } else {
              row.add(rs.getString(i + 1));
            }
          }
          out.write(JSON.writeValueAsString(row));
          out.write('\n');
          count++;
        }
      }
    }
    out.close();
    zip.closeEntry();
    return count;
  }

  private static JsonNode catalog(CatalogStore catalog, String database) {
    ObjectNode root = JSON.createObjectNode();
    root.set("columns", JSON.valueToTree(catalog.columns(database)));
    root.set("requested", JSON.valueToTree(catalog.requested(database)));
    root.set("usage", JSON.valueToTree(catalog.usage(database)));
    root.set("indexes", JSON.valueToTree(catalog.indexes(database)));
    return root;
  }

  /**
   * Restores the backup {@code in} as {@code database}, which must not exist yet: the tables, their
   * rows, the live automatic indexes and the catalog.
   */
  public static Summary restore(LayerContext context, String database, Path in) {
    if (context.catalog.databaseExists(database)) {
      throw Errors.restoreTargetExists(database);
    }
    try (ZipFile zip = new ZipFile(in.toFile())) {
      ZipEntry manifestEntry = zip.getEntry("manifest.json");
      if (manifestEntry == null) {
        throw Errors.notABackup(in, "it has no manifest.json");
      }
      JsonNode manifest = JSON.readTree(zip.getInputStream(manifestEntry));
      if (manifest.path("format").asInt() != FORMAT) {
        throw Errors.backupFormat(in, manifest.path("format"), FORMAT);
      }
      JsonNode catalog = JSON.readTree(zip.getInputStream(zip.getEntry("catalog.json")));
      context.engine.ensureDatabase(database);
      long rows = 0;
      int tables = 0;
      boolean duckDb = context.engine.isDuckDb();
      try (Connection connection = context.engine.connect(database)) {
        connection.setAutoCommit(false);
        for (JsonNode table : manifest.path("tables")) {
          String name = table.path("name").asText();
          Map<String, ColumnType> columns = new LinkedHashMap<>();
          for (JsonNode c : table.path("columns")) {
            columns.put(c.get(0).asText(), ColumnType.valueOf(c.get(1).asText()));
          }
          createTable(connection, name, columns, duckDb);
          rows += insertRows(connection, name, columns, duckDb, zip, table.path("file").asText());
          tables++;
        }
        connection.commit();
        // After the rows, outside the transaction: PostgreSQL builds them CONCURRENTLY.
        connection.setAutoCommit(true);
        for (JsonNode index : catalog.path("indexes")) {
          if (index.path("droppedAt").isNull() || index.path("droppedAt").isMissingNode()) {
            try (Statement s = connection.createStatement()) {
              s.execute(
                  context.engine.createIndexSql(
                      index.path("name").asText(),
                      index.path("table").asText(),
                      index.path("column").asText()));
            }
          }
        }
      }
      restoreCatalog(context, database, catalog);
      context.catalog.addDatabase(database, context.now());
      return new Summary(database, tables, rows, Files.size(in));
    } catch (SQLException e) {
      throw context.engine.translate(e, "restore database " + database);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the backup " + in + ": " + e.getMessage(), e);
    }
  }

  private static void createTable(
      Connection connection, String table, Map<String, ColumnType> columns, boolean duckDb)
      throws SQLException {
    List<String> defs = new ArrayList<>();
    columns.forEach((c, type) -> defs.add(DuckDbEngine.quote(c) + " " + type.ddlName(duckDb)));
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE " + DuckDbEngine.quote(table) + " (" + String.join(", ", defs) + ")");
    }
  }

  private static long insertRows(
      Connection connection,
      String table,
      Map<String, ColumnType> columns,
      boolean duckDb,
      ZipFile zip,
      String entry)
      throws SQLException, IOException {
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<ColumnType> types = List.copyOf(columns.values());
    columns.forEach(
        (c, type) -> {
          names.add(DuckDbEngine.quote(c));
          values.add(
              type == ColumnType.BYTEA
                  ? (duckDb ? "from_base64(?)" : "decode(?, 'base64')")
                  : "CAST(? AS " + type.ddlName(duckDb) + ")");
        });
    String sql =
        "INSERT INTO "
            + DuckDbEngine.quote(table)
            + " ("
            + String.join(", ", names)
            + ") VALUES ("
            + String.join(", ", values)
            + ")";
    long count = 0;
    try (PreparedStatement insert = connection.prepareStatement(sql);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(
                    zip.getInputStream(zip.getEntry(entry)), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode row = JSON.readTree(line);
        for (int i = 0; i < types.size(); i++) {
          JsonNode v = row.get(i);
          insert.setString(i + 1, v == null || v.isNull() ? null : v.asText());
        }
        insert.addBatch();
        if (++count % BATCH == 0) {
          insert.executeBatch();
        }
      }
      insert.executeBatch();
    }
    return count;
  }

  private static void restoreCatalog(LayerContext context, String database, JsonNode catalog) {
    CatalogStore store = context.catalog;
    for (JsonNode c : catalog.path("columns")) {
      store.recordColumn(
          database,
          c.path("table").asText(),
          c.path("column").asText(),
          c.path("type").asText(),
          c.path("createdBy").asText(),
          c.path("createdAt").asLong());
    }
    for (JsonNode r : catalog.path("requested")) {
      store.recordRequested(
          database,
          r.path("table").asText(),
          r.path("column").asText(),
          r.path("version").asText(),
          r.path("firstAt").asLong());
    }
    List<CatalogStore.UsageRow> usage = new ArrayList<>();
    for (JsonNode u : catalog.path("usage")) {
      usage.add(
          new CatalogStore.UsageRow(
              u.path("version").asText(),
              u.path("table").asText(),
              u.path("column").asText(),
              u.path("kind").asText(),
              u.path("firstAt").asLong(),
              u.path("lastAt").asLong()));
    }
    store.recordUsage(database, usage);
    for (JsonNode i : catalog.path("indexes")) {
      String name = i.path("name").asText();
      store.addIndex(
          database,
          name,
          i.path("table").asText(),
          i.path("column").asText(),
          i.path("reason").asText(),
          i.path("createdAt").asLong());
      if (i.path("lastUsedAt").asLong() > 0) {
        store.indexUsed(database, name, i.path("lastUsedAt").asLong());
      }
      if (!i.path("droppedAt").isNull() && !i.path("droppedAt").isMissingNode()) {
        store.indexDropped(
            database, name, i.path("droppedAt").asLong(), i.path("dropReason").asText());
      }
    }
  }
}
