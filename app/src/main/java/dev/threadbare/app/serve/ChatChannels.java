package dev.threadbare.app.serve;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.conversations.ConversationsListResponse;
import com.slack.api.methods.response.conversations.ConversationsMembersResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.ConversationType;
import dev.threadbare.gitserve.ChannelDirectory;
import dev.threadbare.gitserve.ServedChannel;
import dev.threadbare.materializer.GitStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * gitserve's {@link ChannelDirectory} over the chat itself: channel names, privacy and membership
 * come from the Web API ({@code conversations.list}, {@code conversations.members}) through the
 * bot's token, the same way for the local workspace and for real Slack; repositories are the git
 * store's. Answers are cached for a few seconds so a clone does not cost a Web API call per
 * request. Thread safe.
 */
final class ChatChannels implements ChannelDirectory {

  private static final String ALL = "all";

  private final MethodsClient slack;
  private final String botToken;
  private final GitStore store;
  private final Path gitDirectory;
  private final LoadingCache<String, Map<String, ServedChannel>> channels;

  ChatChannels(MethodsClient slack, String botToken, GitStore store, Path gitDirectory) {
    this.slack = slack;
    this.botToken = botToken;
    this.store = store;
    this.gitDirectory = gitDirectory;
    this.channels =
        Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(5))
            .maximumSize(1)
            .build(key -> load());
  }

  @Override
  public Optional<ServedChannel> find(String nameOrId) {
    Map<String, ServedChannel> all = channels.get(ALL);
    ServedChannel channel = all.get(nameOrId);
    if (channel == null) {
      // A channel the chat does not list (yet) may still have a repository from the journal.
      String id = store.channels().contains(nameOrId) ? nameOrId : null;
      if (id == null) {
        return Optional.empty();
      }
      String name = Optional.ofNullable(store.channelName(id)).orElse(id);
      return Optional.of(ServedChannel.privateChannel(id, name, repository(id), Set.of()));
    }
    return Optional.of(channel);
  }

  private Path repository(String channelId) {
    return gitDirectory.resolve(channelId + ".git");
  }

  private Map<String, ServedChannel> load() {
    Map<String, ServedChannel> byKey = new HashMap<>();
    try {
      String cursor = null;
      do {
        String next = cursor;
        ConversationsListResponse page =
            slack.conversationsList(
                r ->
                    r.token(botToken)
                        .types(
                            List.of(
                                ConversationType.PUBLIC_CHANNEL, ConversationType.PRIVATE_CHANNEL))
                        .excludeArchived(true)
                        .limit(200)
                        .cursor(next));
        if (!page.isOk()) {
          throw new IllegalStateException(
              "conversations.list failed: " + page.getError() + " (check the bot token's scopes)");
        }
        for (Conversation c : page.getChannels()) {
          ServedChannel served =
              c.isPrivate()
                  ? ServedChannel.privateChannel(
                      c.getId(), c.getName(), repository(c.getId()), members(c.getId()))
                  : ServedChannel.publicChannel(c.getId(), c.getName(), repository(c.getId()));
          byKey.put(c.getId(), served);
          byKey.putIfAbsent(c.getName(), served);
        }
        cursor =
            page.getResponseMetadata() == null ? null : page.getResponseMetadata().getNextCursor();
      } while (cursor != null && !cursor.isEmpty());
    } catch (IOException e) {
      throw new UncheckedIOException("conversations.list: " + e.getMessage(), e);
    } catch (SlackApiException e) {
      throw new IllegalStateException("conversations.list: " + e.getMessage(), e);
    }
    return byKey;
  }

  private Set<String> members(String channelId) throws IOException, SlackApiException {
    Set<String> members = new HashSet<>();
    String cursor = null;
    do {
      String next = cursor;
      ConversationsMembersResponse page =
          slack.conversationsMembers(
              r -> r.token(botToken).channel(channelId).limit(200).cursor(next));
      if (!page.isOk()) {
        return members;
      }
      members.addAll(page.getMembers());
      cursor =
          page.getResponseMetadata() == null ? null : page.getResponseMetadata().getNextCursor();
    } while (cursor != null && !cursor.isEmpty());
    return members;
  }
}
