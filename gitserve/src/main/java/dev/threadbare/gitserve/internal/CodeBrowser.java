package dev.threadbare.gitserve.internal;

import io.javalin.router.JavalinDefaultRouting;

/** Stub. */
public final class CodeBrowser {
  private final Access access;
  private final String baseUrl;

  public CodeBrowser(Access access, String baseUrl) {
    this.access = access;
    this.baseUrl = baseUrl;
  }

  public void routes(JavalinDefaultRouting routing) {
    routing.get("/code/ping", ctx -> ctx.result(String.valueOf(access != null) + baseUrl));
  }
}
