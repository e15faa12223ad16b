-- The journal of the chat (see DESIGN.md section 1). seq is assigned by the appender as
-- max(seq) + 1 while holding a transaction-scoped advisory lock, so that seq order is commit
-- order across every node appending to this database.
CREATE TABLE journal_entry (
  seq          BIGINT      PRIMARY KEY,
  team         TEXT        NOT NULL,
  channel      TEXT        NOT NULL,
  ts           TEXT        NOT NULL,
  kind         TEXT        NOT NULL,
  version      TEXT        NOT NULL,
  thread_ts    TEXT,
  user_id      TEXT,
  event_second BIGINT      NOT NULL,
  event_nano   INTEGER     NOT NULL,
  payload      TEXT        NOT NULL,
  stored_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An entry's identity: appending it again is a no-op (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX journal_entry_identity ON journal_entry (team, channel, ts, kind, version);

CREATE TABLE journal_cursor (
  consumer   TEXT        PRIMARY KEY,
  seq        BIGINT      NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
