package dev.threadbare.db;

import org.slf4j.LoggerFactory;

/**
 * Where the db layer reports what operators should know: indexes it created or dropped, background
 * work that failed. Called from the layer's background thread; implementations must be thread safe
 * and quick (hand the event to an outbox, such as the ops channel's).
 */
@FunctionalInterface
public interface OpsListener {

  /** Logs every event at INFO through SLF4J. */
  OpsListener LOG = event -> LoggerFactory.getLogger(OpsListener.class).info("{}", event);

  void onEvent(OpsEvent event);
}
