-- The local workspace's own tables (SQLite). Kept in step with ../postgresql/V1__workspace.sql.
CREATE TABLE ws_meta (
  meta_key TEXT PRIMARY KEY,
  meta_value TEXT NOT NULL
);
CREATE TABLE ws_users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  real_name TEXT NOT NULL,
  is_admin BOOLEAN NOT NULL,
  is_bot BOOLEAN NOT NULL,
  bot_id TEXT,
  created BIGINT NOT NULL
);
CREATE TABLE ws_tokens (
  token TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES ws_users (id),
  kind TEXT NOT NULL,
  created BIGINT NOT NULL
);
CREATE TABLE ws_channels (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  is_private BOOLEAN NOT NULL,
  is_general BOOLEAN NOT NULL,
  creator TEXT NOT NULL,
  created BIGINT NOT NULL,
  topic TEXT NOT NULL,
  purpose TEXT NOT NULL
);
CREATE TABLE ws_members (
  channel_id TEXT NOT NULL REFERENCES ws_channels (id),
  user_id TEXT NOT NULL REFERENCES ws_users (id),
  joined BIGINT NOT NULL,
  PRIMARY KEY (channel_id, user_id)
);
CREATE TABLE ws_messages (
  channel_id TEXT NOT NULL REFERENCES ws_channels (id),
  ts TEXT NOT NULL,
  ts_micros BIGINT NOT NULL,
  thread_ts TEXT,
  user_id TEXT NOT NULL,
  subtype TEXT,
  text TEXT NOT NULL,
  blocks TEXT,
  attachments TEXT,
  file_ids TEXT,
  client_msg_id TEXT,
  edited_ts TEXT,
  edited_by TEXT,
  deleted BOOLEAN NOT NULL,
  PRIMARY KEY (channel_id, ts)
);
CREATE INDEX ws_messages_by_time ON ws_messages (channel_id, ts_micros);
CREATE INDEX ws_messages_by_thread ON ws_messages (channel_id, thread_ts, ts_micros);
CREATE TABLE ws_reactions (
  channel_id TEXT NOT NULL,
  ts TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (channel_id, ts, name, user_id)
);
CREATE TABLE ws_files (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES ws_users (id),
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  mimetype TEXT NOT NULL,
  filetype TEXT NOT NULL,
  expected_size BIGINT NOT NULL,
  size BIGINT NOT NULL,
  content BLOB,
  created BIGINT NOT NULL,
  completed BOOLEAN NOT NULL
);
CREATE TABLE ws_file_shares (
  file_id TEXT NOT NULL REFERENCES ws_files (id),
  channel_id TEXT NOT NULL,
  ts TEXT NOT NULL,
  PRIMARY KEY (file_id, channel_id, ts)
);
