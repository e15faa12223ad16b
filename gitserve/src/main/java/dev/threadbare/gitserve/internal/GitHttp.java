package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.ServedChannel;
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
import java.util.EnumSet;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;
import org.eclipse.jgit.util.FS;

/**
 * Git smart HTTP at {@code /git/<channel>.git}: JGit's {@link GitServlet} for upload-pack (clone,
 * fetch, ls-remote, shallow, protocol v2), behind a filter that authenticates, hides channels the
 * caller may not see and refuses pushes with an explanation git prints. Built once per server;
 * thread safe.
 */
public final class GitHttp {
  /** The explanation a {@code git push} prints. */
  public static final String PUSH_REFUSED =
      "threadbare repositories are read-only: code gets in by posting it in the channel"
          + " (a path line, then a code block); threads are branches and `merge` lands them.";

  private static final String CHANNEL_ATTRIBUTE = ServedChannel.class.getName();

  private final Access access;

  /** Serves what {@code access} allows. */
  public GitHttp(Access access) {
    this.access = access;
  }

  /** Mounts the filter and the servlet at {@code /git/*} on a Jetty context. */
  public void mount(ServletContextHandler handler) {
    GitServlet servlet = new GitServlet();
    servlet.setRepositoryResolver(
        (request, name) -> {
          Object channel = request.getAttribute(CHANNEL_ATTRIBUTE);
          if (!(channel instanceof ServedChannel served)) {
            throw new RepositoryNotFoundException(name);
          }
          return openRepository(served);
        });
    servlet.setReceivePackFactory(
        (request, repository) -> {
          throw new ServiceNotEnabledException(PUSH_REFUSED);
        });
    handler.addFilter(
        new FilterHolder(new AccessFilter()), "/git/*", EnumSet.of(DispatcherType.REQUEST));
    handler.addServlet(new ServletHolder("threadbare-git", servlet), "/git/*");
  }

  static Repository openRepository(ServedChannel channel) throws RepositoryNotFoundException {
    try {
      return RepositoryCache.open(
          RepositoryCache.FileKey.exact(channel.repository().toFile(), FS.DETECTED), true);
    } catch (IOException e) {
      throw new RepositoryNotFoundException(channel.repository().toFile(), e);
    }
  }

  /** Extracts {@code name} from {@code /git/name.git/...}; null when the path has no such part. */
  static String channelName(String pathAfterGit) {
    if (pathAfterGit == null || !pathAfterGit.startsWith("/")) {
      return null;
    }
    int slash = pathAfterGit.indexOf('/', 1);
    String first = slash < 0 ? pathAfterGit.substring(1) : pathAfterGit.substring(1, slash);
    return first.endsWith(".git") ? first.substring(0, first.length() - 4) : first;
  }

  private final class AccessFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      String name = channelName(request.getPathInfo());
      Access.Decision decision = access.decide(name, request.getHeader("Authorization"), null);
      switch (decision) {
        case Access.Unauthenticated unauthenticated -> {
          response.setHeader("WWW-Authenticate", Access.CHALLENGE);
          plain(response, HttpServletResponse.SC_UNAUTHORIZED, unauthenticated.reason());
        }
        case Access.NotFound notFound ->
            plain(
                response,
                HttpServletResponse.SC_NOT_FOUND,
                "repository `" + notFound.channelName() + "` not found");
        case Access.Allowed allowed -> {
          if (isPush(request)) {
            plain(response, HttpServletResponse.SC_FORBIDDEN, PUSH_REFUSED);
            return;
          }
          request.setAttribute(CHANNEL_ATTRIBUTE, allowed.channel());
          chain.doFilter(request, response);
        }
      }
    }

    private boolean isPush(HttpServletRequest request) {
      String path = request.getPathInfo();
      String query = request.getQueryString();
      return (query != null && query.contains("service=git-receive-pack"))
          || (path != null && path.endsWith("/git-receive-pack"));
    }

    private void plain(HttpServletResponse response, int status, String message)
        throws IOException {
      // git shows a text/plain error body to the user as "remote: ..." lines.
      response.setStatus(status);
      response.setContentType("text/plain; charset=UTF-8");
      byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }
}
