package dev.threadbare.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The db layer over HTTP, mounted on the application's own Javalin server:
 *
 * <ul>
 *   <li>{@code POST /db/<database>/sql} with {@code {"sql": …, "params": […]}} answers {@code
 *       {"columns":[{"name","typeOid"}…],"rows":[[…]],"command":…,"notices":[…]}} (the last
 *       statement's result) or, when a statement fails, {@code
 *       {"error":{"sqlstate":…,"message":…,"hint":…},"completedResults":[…]}}, the results of the
 *       script's statements before the failing one, in order, each in the success shape (its own
 *       notices); a malformed request gets the {@code error} alone;
 *   <li>{@code GET /db/<database>/describe} and {@code GET /db/<database>/gc-report}.
 * </ul>
 *
 * Every route needs {@code Authorization: Bearer <token>} of a version of that database: 401
 * without a valid token, 403 for another database's token, 400 for a refused or failed statement.
 * Stateless; each request opens and closes its own session, so it is thread safe.
 */
public final class DbHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DbHttp() {}

  /** Adds the routes to {@code app}. */
  public static void register(Javalin app, DbLayer layer) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(layer, "layer");
    app.post("/db/{database}/sql", ctx -> sql(ctx, layer));
    app.get(
        "/db/{database}/describe",
        ctx ->
            authorized(ctx, layer)
                .ifPresent(id -> send(ctx, 200, describeJson(layer.describe(id.database())))));
    app.get(
        "/db/{database}/gc-report",
        ctx ->
            authorized(ctx, layer)
                .ifPresent(id -> send(ctx, 200, gcJson(layer.gcReport(id.database())))));
  }

  private static Optional<DbLayer.Identity> authorized(Context ctx, DbLayer layer) {
    String database = ctx.pathParam("database");
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      send(
          ctx,
          401,
          error(
              SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
              "missing Authorization: Bearer <token> header: use the token given to the deployment",
              null));
      return Optional.empty();
    }
    Optional<DbLayer.Identity> identity = layer.identityOfToken(header.substring(7).strip());
    if (identity.isEmpty()) {
      send(
          ctx,
          401,
          error(
              SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
              "the bearer token is not valid for any database",
              null));
      return Optional.empty();
    }
    if (!identity.get().database().equals(database)) {
      send(
          ctx,
          403,
          error(
              SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
              "the bearer token reaches database "
                  + identity.get().database()
                  + ", not "
                  + database
                  + ": a deployment's credentials reach only its own database",
              null));
      return Optional.empty();
    }
    return identity;
  }

  private static void sql(Context ctx, DbLayer layer) {
    Optional<DbLayer.Identity> identity = authorized(ctx, layer);
    if (identity.isEmpty()) {
      return;
    }
    String sql;
    List<Object> params = new ArrayList<>();
    try {
      JsonNode body = JSON.readTree(ctx.body());
      if (body == null || !body.isObject() || !body.path("sql").isTextual()) {
        send(
            ctx,
            400,
            error(
                SqlState.PROTOCOL_VIOLATION,
                "the body must be {\"sql\": \"…\", \"params\": […]}",
                null));
        return;
      }
      sql = body.get("sql").asText();
      JsonNode p = body.path("params");
      if (p.isArray()) {
        for (JsonNode n : p) {
          params.add(param(n));
        }
      } else if (!p.isMissingNode() && !p.isNull()) {
        send(
            ctx,
            400,
            error(SqlState.PROTOCOL_VIOLATION, "\"params\" must be an array of values", null));
        return;
      }
    } catch (JsonProcessingException e) {
      send(
          ctx,
          400,
          error(
              SqlState.PROTOCOL_VIOLATION,
              "the body is not JSON: " + e.getOriginalMessage(),
              null));
      return;
    }
    try (SqlSession session = layer.open(identity.get().user(), identity.get().database())) {
      List<StatementResult> results = session.execute(sql, params);
      List<String> notices = new ArrayList<>();
      results.forEach(r -> notices.addAll(r.notices()));
      StatementResult last =
          results.isEmpty()
              ? new StatementResult("EMPTY", List.of(), List.of(), List.of())
              : results.get(results.size() - 1);
      send(ctx, 200, resultJson(last, notices));
    } catch (DbException e) {
      Map<String, Object> out = new LinkedHashMap<>(error(e.sqlState(), e.getMessage(), e.hint()));
      List<Map<String, Object>> completed = new ArrayList<>();
      for (StatementResult r : e.completedResults()) {
        completed.add(resultJson(r, r.notices()));
      }
      out.put("completedResults", completed);
      send(ctx, 400, out);
    }
  }

  /** One statement's result as JSON: {@code columns}, {@code rows}, {@code command}, notices. */
  private static Map<String, Object> resultJson(StatementResult last, List<String> notices) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Map<String, Object>> columns = new ArrayList<>();
    for (ResultColumn c : last.columns()) {
      Map<String, Object> column = new LinkedHashMap<>();
      column.put("name", c.name());
      column.put("typeOid", c.typeOid());
      columns.add(column);
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Object[] row : last.rows()) {
      List<Object> values = new ArrayList<>(row.length);
      for (Object v : row) {
        values.add(jsonValue(v));
      }
      rows.add(values);
    }
    out.put("columns", columns);
    out.put("rows", rows);
    out.put("command", last.commandTag());
    out.put("notices", notices);
    return out;
  }

  private static Object param(JsonNode n) {
    if (n.isNull()) {
      return null;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : new BigDecimal(n.bigIntegerValue());
    }
    if (n.isNumber()) {
      return n.decimalValue();
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    return n.toString();
  }

  private static Object jsonValue(Object v) {
    return switch (v) {
      case null -> null;
      case byte[] b -> "\\x" + HexFormat.of().formatHex(b);
      case TemporalAccessor t -> t.toString();
      default -> v;
    };
  }

  private static Map<String, Object> error(String sqlState, String message, String hint) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("sqlstate", sqlState);
    e.put("message", message);
    if (hint != null) {
      e.put("hint", hint);
    }
    return Map.of("error", e);
  }

  private static void send(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      ctx.status(500).result("{\"error\":{\"sqlstate\":\"XX000\",\"message\":\"encoding\"}}");
    }
  }

  private static String when(Instant at) {
    return at == null ? null : at.toString();
  }

  static Map<String, Object> describeJson(CatalogDescription d) {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (CatalogDescription.Table t : d.tables()) {
      List<Map<String, Object>> columns = new ArrayList<>();
      for (CatalogDescription.Column c : t.columns()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("type", c.type());
        m.put("createdBy", c.createdBy());
        m.put("createdAt", when(c.createdAt()));
        m.put("requestedBy", c.requestedBy());
        columns.add(m);
      }
      Map<String, Object> table = new LinkedHashMap<>();
      table.put("name", t.name());
      table.put("columns", columns);
      tables.add(table);
    }
    List<Map<String, Object>> indexes = new ArrayList<>();
    for (CatalogDescription.Index i : d.indexes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("table", i.table());
      m.put("column", i.column());
      m.put("reason", i.reason());
      m.put("createdAt", when(i.createdAt()));
      m.put("lastUsedAt", when(i.lastUsedAt()));
      m.put("droppedAt", when(i.droppedAt()));
      m.put("dropReason", i.dropReason());
      indexes.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("database", d.database());
    out.put("tables", tables);
    out.put("indexes", indexes);
    return out;
  }

  static Map<String, Object> gcJson(GcReport r) {
    List<Map<String, Object>> columns = new ArrayList<>();
    for (GcReport.ColumnUse c : r.columns()) {
      List<Map<String, Object>> holders = new ArrayList<>();
      for (GcReport.VersionUse v : c.heldBy()) {
        Map<String, Object> holder = new LinkedHashMap<>();
        holder.put("version", v.version());
        holder.put("lastUsed", when(v.lastUsed()));
        holder.put("kinds", v.kinds());
        holders.add(holder);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("table", c.table());
      m.put("column", c.column());
      m.put("heldBy", holders);
      m.put("lastUsed", when(c.lastUsed()));
      m.put("collectible", c.collectible());
      columns.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("database", r.database());
    out.put("asOf", when(r.asOf()));
    out.put("retentionDays", r.retention().toDays());
    out.put("columns", columns);
    return out;
  }

  /** The describe report as JSON text (for the CLI). */
  public static String describeText(CatalogDescription d) {
    return pretty(describeJson(d));
  }

  /** The GC report as JSON text (for the CLI). */
  public static String gcReportText(GcReport r) {
    return pretty(gcJson(r));
  }

  private static String pretty(Object o) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
