package dev.threadbare.workspace;

/**
 * What a Slack app registered in the local workspace needs to run against it, as Slack's app
 * settings would show them. An immutable value.
 *
 * @param appId the app's id ({@code A…})
 * @param name the app's name, also its bot user's name
 * @param botUserId the app's bot user ({@code U…})
 * @param botToken the bot token ({@code xoxb-…}) for the Web API ({@code SLACK_BOT_TOKEN})
 * @param signingSecret the secret event deliveries are signed with ({@code SLACK_SIGNING_SECRET})
 * @param appToken the app-level token ({@code xapp-…}) for Socket Mode ({@code SLACK_APP_TOKEN})
 * @param eventsUrl the Request URL events are delivered to, null for Socket Mode only
 */
public record AppRegistration(
    String appId,
    String name,
    String botUserId,
    String botToken,
    String signingSecret,
    String appToken,
    String eventsUrl) {}
