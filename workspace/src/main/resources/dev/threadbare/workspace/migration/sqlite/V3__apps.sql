-- Other Slack apps registered in the local workspace (`threadbare workspace add-app`): each has a
-- bot user (its xoxb- token and its xapp- Socket Mode token are in ws_tokens, kinds bot and app),
-- the Request URL its events go to (null: Socket Mode only) and its signing secret.
-- Kept in step with the other engine's V3__apps.sql.
CREATE TABLE ws_apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  bot_user_id TEXT NOT NULL REFERENCES ws_users (id),
  events_url TEXT,
  signing_secret TEXT NOT NULL,
  created BIGINT NOT NULL
);
