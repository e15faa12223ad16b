-- The bot's own small durable facts beside its outbox (such as when it was born).
CREATE TABLE bot_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
