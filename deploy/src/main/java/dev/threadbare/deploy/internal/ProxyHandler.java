package dev.threadbare.deploy.internal;

import dev.threadbare.deploy.Deployment;
import dev.threadbare.deploy.HostRoutes;
import dev.threadbare.deploy.StartFailedException;
import io.micrometer.core.instrument.Counter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.proxy.AsyncProxyServlet;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.websocket.server.JettyWebSocketServerContainer;
import org.eclipse.jetty.websocket.server.config.JettyWebSocketServletContainerInitializer;

/**
 * The reverse proxy, as a Jetty handler in front of the server's own: a request whose host is
 * {@code <uuid>.<base host>} goes to that deployment (started first if needed) through Jetty's
 * {@link AsyncProxyServlet} (streamed bodies both ways, keep-alive to the deployment, {@code
 * X-Forwarded-*} and {@code Via}), or through {@link WebSocketRelay} for a WebSocket upgrade; any
 * other request goes to the wrapped handler. {@code /deploys/<uuid>/log} on the server's own host
 * answers the deployment's whole log. Thread safe.
 */
public final class ProxyHandler extends HandlerWrapper {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProxyHandler.class);
  private static final String PORT = "threadbare.deploy.port";
  private static final String SOCKET = "threadbare.deploy.socket";

  /**
   * Connections to one private-network deployment; more requests queue. Below its 128 processes:
   * socat serves each connection with a process of its own.
   */
  private static final int UNIX_CONNECTIONS = 96;

  private static final String DEPLOYMENT = "threadbare.deploy.id";
  private static final String ROUTED_HOST = "threadbare.deploy.routed-host";

  private final String baseHostName;
  private final Function<UUID, Optional<Deployment>> deployments;
  private final Supervisor supervisor;
  private final Counter proxyErrors;
  private final String serverUrl;
  private final ServletContextHandler proxyContext = new ServletContextHandler();
  private volatile WebSocketRelay relay;
  private volatile HostRoutes routes = HostRoutes.NONE;

  public ProxyHandler(
      String baseHost,
      String serverUrl,
      Function<UUID, Optional<Deployment>> deployments,
      Supervisor supervisor,
      Counter proxyErrors) {
    int colon = baseHost.lastIndexOf(':');
    this.baseHostName =
        (colon > 0 ? baseHost.substring(0, colon) : baseHost).toLowerCase(Locale.ROOT);
    this.serverUrl = serverUrl;
    this.deployments = deployments;
    this.supervisor = supervisor;
    this.proxyErrors = proxyErrors;
    proxyContext.setContextPath("/");
    ServletHolder proxy = new ServletHolder(new DeploymentProxyServlet());
    proxy.setInitParameter("preserveHost", "true");
    proxy.setInitParameter("timeout", "0");
    proxy.setInitParameter("idleTimeout", Long.toString(30L * 60 * 1000));
    proxy.setInitParameter("maxConnections", "1024");
    proxy.setAsyncSupported(true);
    proxyContext.addServlet(proxy, "/*");
    FilterHolder filter = new FilterHolder(new StartFilter());
    filter.setAsyncSupported(true);
    proxyContext.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    JettyWebSocketServletContainerInitializer.configure(
        proxyContext,
        (context, container) -> {
          container.setMaxTextMessageSize(WebSocketRelay.MAX_MESSAGE);
          container.setMaxBinaryMessageSize(WebSocketRelay.MAX_MESSAGE);
          container.setIdleTimeout(java.time.Duration.ofMinutes(30));
        });
    addManaged(proxyContext);
  }

  /** The hook for other hosts (prod's {@code <channel>.prod.<base host>}). */
  public void setRoutes(HostRoutes hostRoutes) {
    this.routes = java.util.Objects.requireNonNull(hostRoutes, "hostRoutes");
  }

  @Override
  public void setServer(Server server) {
    super.setServer(server);
    proxyContext.setServer(server);
  }

  /** The deployment a host name names, if it is {@code <uuid>.<base host>}. */
  Optional<UUID> deploymentOf(String serverName) {
    if (serverName == null) {
      return Optional.empty();
    }
    String host = serverName.toLowerCase(Locale.ROOT);
    if (!host.endsWith("." + baseHostName)) {
      return Optional.empty();
    }
    String label = host.substring(0, host.length() - baseHostName.length() - 1);
    if (label.length() != 36 || label.contains(".")) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(label));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void handle(
      String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    Optional<UUID> id = deploymentOf(baseRequest.getServerName());
    if (id.isPresent()) {
      request.setAttribute(DEPLOYMENT, id.get());
      proxyContext.handle(target, baseRequest, request, response);
      return;
    }
    String serverName = baseRequest.getServerName();
    if (serverName != null && routes.routes(serverName.toLowerCase(Locale.ROOT))) {
      request.setAttribute(ROUTED_HOST, serverName.toLowerCase(Locale.ROOT));
      proxyContext.handle(target, baseRequest, request, response);
      return;
    }
    if (target.startsWith("/deploys/") && target.endsWith("/log")) {
      serveLog(target, baseRequest, response);
      return;
    }
    super.handle(target, baseRequest, request, response);
  }

  private void serveLog(String target, Request baseRequest, HttpServletResponse response)
      throws IOException {
    String middle = target.substring("/deploys/".length(), target.length() - "/log".length());
    UUID id;
    try {
      id = UUID.fromString(middle);
    } catch (IllegalArgumentException e) {
      return; // not ours: the wrapped handler answers 404
    }
    baseRequest.setHandled(true);
    Path log = supervisor.logFile(id);
    if (deployments.apply(id).isEmpty() || !Files.exists(log)) {
      response.sendError(404, "no log for deployment " + id);
      return;
    }
    response.setContentType("text/plain; charset=utf-8");
    response.getOutputStream().write(supervisor.wholeLog(id).getBytes(StandardCharsets.UTF_8));
  }

  /** Starts the deployment (or answers why not), then lets the proxy or the relay forward. */
  private final class StartFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      UUID id = (UUID) request.getAttribute(DEPLOYMENT);
      int port;
      Runnable free;
      if (request.getAttribute(ROUTED_HOST) instanceof String host) {
        HostRoutes.Lease lease;
        try {
          lease = routes.lease(host);
        } catch (StartFailedException e) {
          if (e.status() != 404) {
            proxyErrors.increment();
          }
          page(
              response,
              e.status(),
              e.status() == 404 ? "Nothing here" : "Could not start",
              e.getMessage(),
              null,
              null);
          return;
        }
        port = lease.port();
        free = lease::release;
      } else {
        Optional<Deployment> deployment = deployments.apply(id);
        if (deployment.isEmpty()) {
          page(
              response,
              404,
              "No deployment " + id,
              "There is no deployment with this id.",
              null,
              id);
          return;
        }
        try {
          port = supervisor.acquire(deployment.get());
        } catch (StartFailedException e) {
          proxyErrors.increment();
          page(
              response,
              e.status(),
              e.status() == 502 ? "Build failed" : "Could not start",
              e.getMessage(),
              e.logTail(),
              id);
          return;
        }
        free = () -> supervisor.release(id);
        supervisor.socketOf(id).ifPresent(socket -> request.setAttribute(SOCKET, socket));
      }
      AtomicBoolean released = new AtomicBoolean();
      Runnable release =
          () -> {
            if (released.compareAndSet(false, true)) {
              free.run();
            }
          };
      if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
        JettyWebSocketServerContainer container =
            JettyWebSocketServerContainer.getContainer(request.getServletContext());
        String forwardedFor = request.getRemoteAddr();
        boolean upgraded =
            container.upgrade(
                (up, down) -> relay().connect(up, down, port, forwardedFor, release),
                request,
                response);
        if (!upgraded) {
          release.run();
          if (!response.isCommitted()) {
            response.sendError(400, "not a valid WebSocket upgrade");
          }
        }
        return;
      }
      request.setAttribute(PORT, port);
      try {
        chain.doFilter(req, res);
      } finally {
        if (request.isAsyncStarted()) {
          request
              .getAsyncContext()
              .addListener(
                  new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                      release.run();
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                      release.run();
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                      release.run();
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {}
                  });
        } else {
          release.run();
        }
      }
    }
  }

  private WebSocketRelay relay() {
    WebSocketRelay r = relay;
    if (r == null) {
      synchronized (this) {
        r = relay;
        if (r == null) {
          try {
            HttpClient http = new HttpClient();
            http.start();
            r = new WebSocketRelay(http);
            relay = r;
          } catch (Exception e) {
            throw new IllegalStateException("cannot start the WebSocket client: " + e, e);
          }
        }
      }
    }
    return r;
  }

  private void page(
      HttpServletResponse response, int status, String title, String message, String tail, UUID id)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/html; charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><meta charset=utf-8><title>")
        .append(escape(title))
        .append("</title><h1>")
        .append(escape(title))
        .append("</h1><p>")
        .append(escape(message))
        .append("</p>");
    if (tail != null) {
      String logUrl = serverUrl + "/deploys/" + id + "/log";
      html.append("<h2>Log (last lines)</h2><pre>")
          .append(escape(tail))
          .append("</pre><p><a href=\"")
          .append(escape(logUrl))
          .append("\">The whole log</a>: ")
          .append(escape(logUrl))
          .append("</p>");
    }
    byte[] body = html.toString().getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Jetty's asynchronous proxy servlet, pointed at the port (or Unix socket) the filter found. */
  private final class DeploymentProxyServlet extends AsyncProxyServlet {
    private static final long serialVersionUID = 1L;

    /**
     * One client per running deployment that has a Unix socket (each start has its own path), on
     * the shared client's threads and buffers; dropped once its socket is gone.
     */
    private final transient Map<Path, HttpClient> unixClients = new ConcurrentHashMap<>();

    @Override
    protected org.eclipse.jetty.client.api.Request newProxyRequest(
        HttpServletRequest request, String rewrittenTarget) {
      if (request.getAttribute(SOCKET) instanceof Path socket) {
        HttpClient client = unixClients.get(socket);
        if (client == null) {
          // A new deployment's start: forget the clients of those that stopped since (not inside
          // computeIfAbsent, whose function may not change the map).
          unixClients.forEach(
              (path, old) -> {
                if (!Files.exists(path) && unixClients.remove(path, old)) {
                  stopQuietly(old);
                }
              });
          client = unixClients.computeIfAbsent(socket, this::unixClient);
        }
        return client
            .newRequest(rewrittenTarget)
            .method(request.getMethod())
            .attribute(CLIENT_REQUEST_ATTRIBUTE, request);
      }
      return super.newProxyRequest(request, rewrittenTarget);
    }

    private HttpClient unixClient(Path socket) {
      HttpClient shared = getHttpClient();
      HttpClient client =
          new HttpClient(
              new org.eclipse.jetty.client.http.HttpClientTransportOverHTTP(
                  org.eclipse.jetty.io.ClientConnector.forUnixDomain(socket)));
      client.setExecutor(shared.getExecutor());
      client.setScheduler(shared.getScheduler());
      client.setByteBufferPool(shared.getByteBufferPool());
      // As the servlet configures its own client: the proxy passes responses through untouched.
      client.setFollowRedirects(false);
      client.setCookieStore(new org.eclipse.jetty.util.HttpCookieStore.Empty());
      // Each connection is a socat process inside, counted in the deployment's process limit.
      client.setMaxConnectionsPerDestination(UNIX_CONNECTIONS);
      client.setIdleTimeout(shared.getIdleTimeout());
      client.setRequestBufferSize(shared.getRequestBufferSize());
      client.setResponseBufferSize(shared.getResponseBufferSize());
      client.setUserAgentField(shared.getUserAgentField());
      try {
        client.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the proxy's client for " + socket, e);
      }
      client.getContentDecoderFactories().clear();
      client.getProtocolHandlers().clear();
      client
          .getProtocolHandlers()
          .put(
              new org.eclipse.jetty.client.ContinueProtocolHandler() {
                @Override
                protected void onContinue(org.eclipse.jetty.client.api.Request proxyRequest) {
                  // What the servlet's own client does: a 100 from the app releases the body.
                  DeploymentProxyServlet.this.onContinue(
                      (HttpServletRequest)
                          proxyRequest.getAttributes().get(CLIENT_REQUEST_ATTRIBUTE),
                      proxyRequest);
                }
              });
      return client;
    }

    @Override
    public void destroy() {
      unixClients.values().forEach(ProxyHandler::stopQuietly);
      unixClients.clear();
      super.destroy();
    }

    @Override
    protected String rewriteTarget(HttpServletRequest request) {
      Object port = request.getAttribute(PORT);
      if (port == null) {
        return null;
      }
      String query = request.getQueryString();
      return "http://127.0.0.1:"
          + port
          + request.getRequestURI()
          + (query == null ? "" : "?" + query);
    }

    @Override
    protected void onServerResponseHeaders(
        HttpServletRequest clientRequest,
        HttpServletResponse proxyResponse,
        org.eclipse.jetty.client.api.Response serverResponse) {
      super.onServerResponseHeaders(clientRequest, proxyResponse, serverResponse);
      if (!serverResponse.getHeaders().contains(org.eclipse.jetty.http.HttpHeader.CONTENT_LENGTH)) {
        // Jetty holds writes smaller than its aggregation size until more come: a streamed
        // response (chunks, Server-Sent Events) must reach the browser as the deployment sends it.
        proxyResponse.setBufferSize(0);
      }
    }

    @Override
    protected String filterServerResponseHeader(
        HttpServletRequest clientRequest,
        org.eclipse.jetty.client.api.Response serverResponse,
        String headerName,
        String headerValue) {
      // Jetty writes its own Date; two would confuse caches.
      if ("Date".equalsIgnoreCase(headerName)) {
        return null;
      }
      return super.filterServerResponseHeader(
          clientRequest, serverResponse, headerName, headerValue);
    }

    @Override
    protected void onProxyResponseFailure(
        HttpServletRequest clientRequest,
        HttpServletResponse proxyResponse,
        org.eclipse.jetty.client.api.Response serverResponse,
        Throwable failure) {
      proxyErrors.increment();
      log.debug("proxying {} failed: {}", clientRequest.getRequestURI(), failure.toString());
      super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
    }

    @Override
    protected void onClientRequestFailure(
        HttpServletRequest clientRequest,
        org.eclipse.jetty.client.api.Request proxyRequest,
        HttpServletResponse proxyResponse,
        Throwable failure) {
      proxyErrors.increment();
      log.debug("proxying {} failed: {}", clientRequest.getRequestURI(), failure.toString());
      super.onClientRequestFailure(clientRequest, proxyRequest, proxyResponse, failure);
    }
  }

  private static void stopQuietly(HttpClient client) {
    try {
      client.stop();
    } catch (Exception e) {
      // stopping anyway
    }
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    WebSocketRelay r = relay;
    if (r != null) {
      r.close();
    }
  }
}
