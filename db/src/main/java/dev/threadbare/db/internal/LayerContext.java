package dev.threadbare.db.internal;

import dev.threadbare.db.DbOptions;
import dev.threadbare.db.OpsEvent;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of one layer shares: the engine, the catalog, the options, the usage tracker and
 * the background thread that builds indexes. Thread safe; closed with the layer.
 */
public final class LayerContext implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LayerContext.class);

  public final Engine engine;
  public final CatalogStore catalog;
  public final DbOptions options;
  public final UsageTracker usage = new UsageTracker();
  public final SizeCaps caps = new SizeCaps();
  final ExecutorService background =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "threadbare-db-background");
            t.setDaemon(true);
            return t;
          });

  public LayerContext(Engine engine, CatalogStore catalog, DbOptions options) {
    this.engine = engine;
    this.catalog = catalog;
    this.options = options;
  }

  public long now() {
    return options.clock().millis();
  }

  void emit(String database, String kind, String message) {
    OpsEvent event = new OpsEvent(Instant.ofEpochMilli(now()), database, kind, message);
    try {
      options.opsListener().onEvent(event);
    } catch (RuntimeException e) {
      LOG.warn("ops listener failed on {}", event, e);
    }
  }

  /** Waits until the background work submitted so far has finished. */
  public void awaitBackground() {
    try {
      background.submit(() -> {}).get(2, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("background work did not finish", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    background.shutdown();
    try {
      background.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
