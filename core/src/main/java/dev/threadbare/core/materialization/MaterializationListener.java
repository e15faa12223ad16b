package dev.threadbare.core.materialization;

import java.util.List;

/**
 * Told what became of each batch of journal entries once it is durable in git; see {@link
 * Materialization#addListener}. Called on the materializing thread, one batch at a time.
 */
@FunctionalInterface
public interface MaterializationListener {

  /** The outcomes of one durable batch, in journal order. */
  void onMaterialized(List<EntryOutcome> outcomes);
}
