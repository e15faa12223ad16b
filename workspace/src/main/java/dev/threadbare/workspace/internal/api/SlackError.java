package dev.threadbare.workspace.internal.api;

import java.util.Locale;

/**
 * The catalog of Slack error codes the Web API answers with ({@code {"ok":false,"error":…}}), as
 * Slack names them in each method's documentation. Immutable.
 *
 * @see <a href="https://api.slack.com/methods">Slack Web API methods and their errors</a>
 */
enum SlackError {
  ALREADY_IN_CHANNEL("already_in_channel"),
  ALREADY_REACTED("already_reacted"),
  CANT_DELETE_MESSAGE("cant_delete_message"),
  CANT_INVITE_SELF("cant_invite_self"),
  CANT_UPDATE_MESSAGE("cant_update_message"),
  CHANNEL_NOT_FOUND("channel_not_found"),
  FILE_NOT_FOUND("file_not_found"),
  INVALID_ARGUMENTS("invalid_arguments"),
  INVALID_ATTACHMENTS("invalid_attachments"),
  INVALID_AUTH("invalid_auth"),
  INVALID_BLOCKS("invalid_blocks"),
  INVALID_CURSOR("invalid_cursor"),
  INVALID_JSON("invalid_json"),
  INVALID_METADATA_FORMAT("invalid_metadata_format"),
  INVALID_NAME("invalid_name"),
  INVALID_NAME_MAXLENGTH("invalid_name_maxlength"),
  INVALID_NAME_REQUIRED("invalid_name_required"),
  INVALID_NAME_SPECIALS("invalid_name_specials"),
  INVALID_TS_LATEST("invalid_ts_latest"),
  INVALID_TS_OLDEST("invalid_ts_oldest"),
  INVALID_TYPES("invalid_types"),
  MESSAGE_NOT_FOUND("message_not_found"),
  METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE("method_not_supported_for_channel_type"),
  MSG_TOO_LONG("msg_too_long"),
  NAME_TAKEN("name_taken"),
  NO_REACTION("no_reaction"),
  NO_TEXT("no_text"),
  NOT_AUTHED("not_authed"),
  NOT_ALLOWED_TOKEN_TYPE("not_allowed_token_type"),
  NOT_IN_CHANNEL("not_in_channel"),
  THREAD_NOT_FOUND("thread_not_found"),
  TOO_MANY_EMOJI("too_many_emoji"),
  USER_NOT_FOUND("user_not_found"),
  USER_NOT_IN_CHANNEL("user_not_in_channel"),
  RATELIMITED("ratelimited"),
  REQUEST_TOO_LARGE("request_too_large"),
  UNKNOWN_METHOD("unknown_method"),
  INTERNAL_ERROR("internal_error");

  private final String code;

  SlackError(String code) {
    this.code = code;
  }

  /** The wire code, such as {@code channel_not_found}. */
  String code() {
    return code;
  }

  /** The error for {@code code}, which must be in the catalog. */
  static SlackError of(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
