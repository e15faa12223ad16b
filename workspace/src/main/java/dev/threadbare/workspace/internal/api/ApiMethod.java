package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One Web API method: the result fields of an authenticated call ({@code ok} is added around). */
@FunctionalInterface
interface ApiMethod {
  ObjectNode call(ApiCall call);
}
