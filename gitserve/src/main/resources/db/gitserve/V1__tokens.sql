CREATE TABLE access_token (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX access_token_user ON access_token(user_id);
