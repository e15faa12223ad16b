package dev.threadbare.gitserve;

import java.util.Optional;

/**
 * The port through which gitserve learns which channels exist, where their repositories live and
 * who may read them. The app module implements it over the workspace and the materializer's git
 * store; gitserve never looks at either directly.
 *
 * <p>Implementations must be thread safe: every HTTP request asks.
 */
@FunctionalInterface
public interface ChannelDirectory {

  /**
   * Finds a channel by its name or its id.
   *
   * @param nameOrId what follows {@code /git/} (without {@code .git}) or {@code /code/}
   * @return the channel, or empty when there is none with that name or id
   */
  Optional<ServedChannel> find(String nameOrId);
}
