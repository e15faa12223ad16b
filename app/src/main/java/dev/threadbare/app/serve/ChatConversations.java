package dev.threadbare.app.serve;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.model.Message;
import com.slack.api.model.Reaction;
import com.slack.api.model.User;
import dev.threadbare.gitserve.Conversation;
import dev.threadbare.gitserve.Conversations;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gitserve's {@link Conversations} over the chat's Web API through the bot's token ({@code
 * conversations.replies}, {@code users.info}), the same way for the local workspace and for real
 * Slack: the thread around a message with its current text and reactions. Threads are cached for a
 * few seconds and names for longer, so hovering down a blame does not cost a call a line. Thread
 * safe.
 */
final class ChatConversations implements Conversations {
  private static final Logger LOG = LoggerFactory.getLogger(ChatConversations.class);

  private final MethodsClient slack;
  private final Cache<String, Optional<Conversation>> threads =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(10)).maximumSize(1_000).build();
  private final Cache<String, String> names =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(10)).maximumSize(10_000).build();

  ChatConversations(MethodsClient slack) {
    this.slack = slack;
  }

  /**
   * The team's own address ({@code https://team.slack.com}), where Slack's message links open, from
   * {@code auth.test}; null when Slack does not say (links then keep the commits' own).
   */
  static String teamUrl(MethodsClient slack) {
    try {
      String url = slack.authTest(r -> r).getUrl();
      return url == null || !url.startsWith("http") ? null : url;
    } catch (IOException | SlackApiException e) {
      LOG.warn("auth.test failed, message links stay slack.com's: {}", e.toString());
      return null;
    }
  }

  @Override
  public Optional<Conversation> around(String channelId, String messageTs, String threadTs) {
    String root = threadTs != null ? threadTs : messageTs;
    return threads.get(channelId + "/" + root, key -> load(channelId, root));
  }

  private Optional<Conversation> load(String channelId, String root) {
    ConversationsRepliesResponse replies;
    try {
      replies = slack.conversationsReplies(r -> r.channel(channelId).ts(root).limit(200));
    } catch (IOException | SlackApiException e) {
      LOG.warn("conversations.replies {} {} failed: {}", channelId, root, e.toString());
      return Optional.empty();
    }
    if (!replies.isOk() || replies.getMessages() == null || replies.getMessages().isEmpty()) {
      return Optional.empty();
    }
    List<Conversation.Message> messages = new ArrayList<>();
    for (Message message : replies.getMessages()) {
      String user = message.getUser() != null ? message.getUser() : message.getBotId();
      String name =
          message.getUser() != null
              ? nameOf(message.getUser())
              : message.getUsername() != null ? message.getUsername() : "bot";
      List<Conversation.Reaction> reactions = new ArrayList<>();
      if (message.getReactions() != null) {
        for (Reaction reaction : message.getReactions()) {
          List<String> who = new ArrayList<>();
          if (reaction.getUsers() != null) {
            reaction.getUsers().forEach(u -> who.add(nameOf(u)));
          }
          reactions.add(
              new Conversation.Reaction(
                  reaction.getName(),
                  reaction.getCount() == null ? who.size() : reaction.getCount(),
                  who));
        }
      }
      messages.add(
          new Conversation.Message(
              message.getTs(),
              user == null ? "unknown" : user,
              name,
              message.getText() == null ? "" : message.getText(),
              reactions,
              message.getEdited() != null));
    }
    boolean thread = messages.size() > 1 || !root.equals(replies.getMessages().get(0).getTs());
    return Optional.of(new Conversation(channelId, thread ? root : null, messages));
  }

  private String nameOf(String userId) {
    return names.get(
        userId,
        id -> {
          try {
            UsersInfoResponse info = slack.usersInfo(r -> r.user(id));
            User user = info.isOk() ? info.getUser() : null;
            if (user == null) {
              return id;
            }
            if (user.getProfile() != null
                && user.getProfile().getDisplayName() != null
                && !user.getProfile().getDisplayName().isBlank()) {
              return user.getProfile().getDisplayName();
            }
            return user.getRealName() != null && !user.getRealName().isBlank()
                ? user.getRealName()
                : user.getName();
          } catch (IOException | SlackApiException e) {
            return id;
          }
        });
  }
}
