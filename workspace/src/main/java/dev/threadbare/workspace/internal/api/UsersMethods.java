package dev.threadbare.workspace.internal.api;

import static dev.threadbare.workspace.internal.api.ApiSupport.cursor;
import static dev.threadbare.workspace.internal.api.ApiSupport.nextCursor;
import static dev.threadbare.workspace.internal.api.ApiSupport.uncursor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.util.List;
import java.util.Map;

/**
 * The {@code api.test}, {@code auth.test}, {@code team.info} and {@code users.*} methods: who the
 * caller is, the team and its people. Thread-safe.
 */
final class UsersMethods {

  private final ApiSupport support;
  private final WorkspaceStore store;
  private final Shapes shapes;
  private final String teamId;
  private final String teamName;

  UsersMethods(ApiSupport support) {
    this.support = support;
    this.store = support.store();
    this.shapes = support.shapes();
    this.teamId = support.teamId();
    this.teamName = support.teamName();
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("api.test", this::apiTest);
    methods.put("auth.test", this::authTest);
    methods.put("team.info", this::teamInfo);
    methods.put("users.list", this::usersList);
    methods.put("users.info", this::usersInfo);
  }

  private ObjectNode apiTest(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    if (!call.params().isEmpty()) {
      ObjectNode args = out.putObject("args");
      call.params()
          .forEach(
              (k, v) -> {
                if (!k.equals("token")) {
                  args.put(k, v);
                }
              });
    }
    return out;
  }

  private ObjectNode authTest(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("url", call.origin() + "/");
    out.put("team", teamName);
    out.put("user", call.caller().name());
    out.put("team_id", teamId);
    out.put("user_id", call.caller().id());
    if (call.caller().bot()) {
      out.put("bot_id", call.caller().botId());
    }
    out.put("is_enterprise_install", false);
    return out;
  }

  private ObjectNode teamInfo(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    ObjectNode team = out.putObject("team");
    team.put("id", teamId);
    team.put("name", teamName);
    team.put("url", call.origin() + "/");
    team.put("domain", "local");
    team.put("email_domain", "");
    team.putObject("icon").put("image_default", true);
    team.put("is_verified", false);
    return out;
  }

  private ObjectNode usersList(ApiCall call) {
    int limit = call.limit("limit", 200, 1000);
    String after = uncursor(call, "next_id");
    List<User> page = store.users(after == null ? "" : after, limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode members = out.putArray("members");
    page.stream().limit(limit).forEach(u -> members.add(shapes.user(u)));
    out.put("cache_ts", java.time.Instant.now().getEpochSecond());
    nextCursor(out, page.size() > limit ? cursor("next_id", page.get(limit - 1).id()) : null);
    return out;
  }

  private ObjectNode usersInfo(ApiCall call) {
    String id = call.param("user");
    User user =
        store
            .user(id == null ? "" : id)
            .orElseThrow(() -> new ApiError(SlackError.USER_NOT_FOUND, "no user `" + id + "`"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("user", shapes.user(user));
    return out;
  }
}
