-- Slack message metadata ({"event_type":…,"event_payload":{…}}) as JSON text, null when a message
-- was posted without it. Kept in step with ../sqlite/V2__message_metadata.sql.
ALTER TABLE ws_messages ADD COLUMN metadata TEXT;
