package dev.threadbare.db.internal;

/**
 * The few package-private operations of this package that {@code DbLayer} needs, without making
 * them public on the types themselves. Stateless.
 */
public final class LayerAccess {
  private LayerAccess() {}

  public static LogicalDatabase newDatabase(String name, LayerContext context) {
    return new LogicalDatabase(name, context);
  }

  public static void dropUnusedIndexes(LogicalDatabase db, long cutoff, String retention) {
    db.dropUnusedIndexes(cutoff, retention);
  }
}
