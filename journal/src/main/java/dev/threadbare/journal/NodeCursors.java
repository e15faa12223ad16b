package dev.threadbare.journal;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A journal shared by several nodes, seen from one of them: the cursors of consumers whose state is
 * the node's own (the materializer's, over the node's own git store) are stored as {@code
 * <consumer>@<node>}; every other cursor (the bot's, one for all nodes) and every entry are shared.
 * Thread safe as the journal it wraps.
 */
final class NodeCursors implements Journal {

  private final Journal shared;
  private final String node;
  private final Set<String> perNode;

  NodeCursors(Journal shared, String node, Set<String> perNode) {
    this.shared = shared;
    this.node = node;
    this.perNode = Set.copyOf(perNode);
  }

  Journal shared() {
    return shared;
  }

  private String name(String consumer) {
    return consumer != null && perNode.contains(consumer) ? consumer + "@" + node : consumer;
  }

  @Override
  public List<JournalEntry> append(List<JournalEntry> entries) {
    return shared.append(entries);
  }

  @Override
  public void replay(long afterSeq, Consumer<JournalEntry> sink) {
    shared.replay(afterSeq, sink);
  }

  @Override
  public List<JournalEntry> read(long afterSeq, int limit) {
    return shared.read(afterSeq, limit);
  }

  @Override
  public long lastSeq() {
    return shared.lastSeq();
  }

  @Override
  public long cursor(String consumer) {
    return shared.cursor(name(consumer));
  }

  @Override
  public void saveCursor(String consumer, long seq) {
    shared.saveCursor(name(consumer), seq);
  }

  @Override
  public void close() {
    shared.close();
  }

  @Override
  public String toString() {
    return shared + " (node " + node + ")";
  }
}
