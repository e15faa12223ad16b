CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  method TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  enqueued_at BIGINT NOT NULL,
  sent_at BIGINT,
  result_ts TEXT,
  error TEXT
);
CREATE INDEX outbox_state_id ON outbox (state, id);
