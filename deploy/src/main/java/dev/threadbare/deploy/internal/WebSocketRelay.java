package dev.threadbare.deploy.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.api.WebSocketListener;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.JettyServerUpgradeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket proxying by message: the browser's connection is accepted by Jetty's WebSocket server
 * only after a connection to the deployment (Jetty's WebSocket client) succeeded with the same
 * path, query, sub-protocols and cookies; then every text and binary message and the close are
 * relayed both ways, in order. Jetty 11 cannot hand a servlet the raw upgraded connection, which is
 * why the proxy relays messages instead of bytes. Thread safe.
 */
final class WebSocketRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebSocketRelay.class);
  private static final List<String> FORWARDED =
      List.of("Cookie", "Authorization", "Origin", "User-Agent", "Accept-Language");
  static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private final WebSocketClient client;

  WebSocketRelay(HttpClient http) throws Exception {
    client = new WebSocketClient(http);
    client.setMaxTextMessageSize(MAX_MESSAGE);
    client.setMaxBinaryMessageSize(MAX_MESSAGE);
    client.setIdleTimeout(Duration.ofMinutes(30));
    client.start();
  }

  /**
   * Connects to the deployment on {@code port} and returns the browser side's endpoint, or null
   * (after answering 502) when the deployment refused.
   */
  Object connect(
      JettyServerUpgradeRequest request,
      JettyServerUpgradeResponse response,
      int port,
      String forwardedFor,
      Runnable onClose) {
    String query = request.getQueryString();
    URI target =
        URI.create(
            "ws://127.0.0.1:"
                + port
                + request.getRequestURI().getRawPath()
                + (query == null ? "" : "?" + query));
    ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
    upgrade.setSubProtocols(request.getSubProtocols());
    for (String name : FORWARDED) {
      String value = request.getHeader(name);
      if (value != null) {
        upgrade.setHeader(name, value);
      }
    }
    upgrade.setHeader("X-Forwarded-For", forwardedFor);
    upgrade.setHeader("X-Forwarded-Host", request.getHeader("Host"));
    upgrade.setHeader("X-Forwarded-Proto", request.isSecure() ? "https" : "http");
    Backend backend = new Backend();
    try {
      Session session = client.connect(backend, target, upgrade).get(10, TimeUnit.SECONDS);
      String accepted = session.getUpgradeResponse().getAcceptedSubProtocol();
      if (accepted != null) {
        response.setAcceptedSubProtocol(accepted);
      }
    } catch (Exception e) {
      log.info("websocket to {} refused: {}", target, e.toString());
      onClose.run();
      try {
        response.sendError(502, "the deployment refused the WebSocket: " + e.getMessage());
      } catch (IOException ignored) {
        // the browser went away
      }
      return null;
    }
    Front front = new Front(backend, onClose);
    backend.front = front;
    return front;
  }

  /** The browser's side. */
  static final class Front implements WebSocketListener {
    private final Backend backend;
    private final Runnable onClose;
    private volatile Session session;
    private boolean closed;

    Front(Backend backend, Runnable onClose) {
      this.backend = backend;
      this.onClose = onClose;
    }

    @Override
    public void onWebSocketConnect(Session s) {
      this.session = s;
      backend.attach(s);
    }

    @Override
    public void onWebSocketText(String message) {
      backend.send(message);
    }

    @Override
    public void onWebSocketBinary(byte[] payload, int offset, int len) {
      backend.send(ByteBuffer.wrap(payload, offset, len));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      backend.closeFromFront(statusCode, reason);
      end();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      backend.closeFromFront(StatusCode.SERVER_ERROR, "proxy: " + cause.getMessage());
      end();
    }

    private synchronized void end() {
      if (!closed) {
        closed = true;
        onClose.run();
      }
    }
  }

  /** The deployment's side: messages that arrive before the browser's side is open wait. */
  static final class Backend implements WebSocketListener {
    volatile Front front;
    private Session session;
    private Session browser;
    private final Deque<Object> early = new ArrayDeque<>();

    @Override
    public synchronized void onWebSocketConnect(Session s) {
      this.session = s;
    }

    synchronized void attach(Session browserSession) {
      this.browser = browserSession;
      while (!early.isEmpty()) {
        deliver(early.poll());
      }
    }

    @Override
    public synchronized void onWebSocketText(String message) {
      deliverOrQueue(message);
    }

    @Override
    public synchronized void onWebSocketBinary(byte[] payload, int offset, int len) {
      deliverOrQueue(ByteBuffer.wrap(payload.clone(), offset, len));
    }

    private void deliverOrQueue(Object message) {
      if (browser == null) {
        early.add(message);
      } else {
        deliver(message);
      }
    }

    private void deliver(Object message) {
      try {
        if (message instanceof String text) {
          browser.getRemote().sendString(text);
        } else {
          browser.getRemote().sendBytes((ByteBuffer) message);
        }
      } catch (IOException e) {
        log.debug("websocket to the browser: {}", e.toString());
        browser.close(StatusCode.SHUTDOWN, "proxy: " + e.getMessage());
      }
    }

    void send(Object message) {
      Session s;
      synchronized (this) {
        s = session;
      }
      if (s == null) {
        return;
      }
      try {
        if (message instanceof String text) {
          s.getRemote().sendString(text);
        } else {
          s.getRemote().sendBytes((ByteBuffer) message);
        }
      } catch (IOException e) {
        log.debug("websocket to the deployment: {}", e.toString());
        s.close(StatusCode.SHUTDOWN, "proxy: " + e.getMessage());
      }
    }

    void closeFromFront(int code, String reason) {
      Session s;
      synchronized (this) {
        s = session;
      }
      if (s != null && s.isOpen()) {
        s.close(sendable(code), reason);
      }
    }

    @Override
    public synchronized void onWebSocketClose(int statusCode, String reason) {
      if (browser != null && browser.isOpen()) {
        browser.close(sendable(statusCode), reason);
      }
    }

    @Override
    public synchronized void onWebSocketError(Throwable cause) {
      if (browser != null && browser.isOpen()) {
        browser.close(StatusCode.SERVER_ERROR, "deployment: " + cause.getMessage());
      }
    }
  }

  /** 1005 and 1006 describe a missing close frame; they may not be sent in one. */
  private static int sendable(int code) {
    return code == StatusCode.NO_CODE || code == StatusCode.ABNORMAL ? StatusCode.NORMAL : code;
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
