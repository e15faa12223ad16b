package dev.threadbare.gitserve.internal;

import static dev.threadbare.gitserve.internal.Html.q;

import dev.threadbare.gitserve.ServedChannel;
import io.javalin.http.Context;
import java.io.IOException;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * What every page of a channel shares: the channel, the version asked for (a branch or a commit)
 * and the path. Immutable.
 */
record View(ServedChannel channel, String rev, RevCommit commit, boolean onBranch, String path) {
  String base() {
    return "/code/" + q(channel.name());
  }

  String url(String page, String atRev, String atPath) {
    return base()
        + "/"
        + page
        + "?rev="
        + q(atRev)
        + (atPath == null || atPath.isEmpty() ? "" : "&path=" + q(atPath));
  }

  String permalink(String page) {
    return url(page, commit.name(), path);
  }

  /**
   * The version and path a request names ({@code rev}, {@code path}); the default branch when no
   * {@code rev}.
   */
  static View of(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    String rev = ctx.queryParam("rev");
    if (rev == null || rev.isBlank()) {
      rev = reader.defaultBranch();
    }
    RevCommit commit = reader.commit(rev);
    String path = RepoReader.normalise(ctx.queryParam("path"));
    return new View(channel, rev, commit, reader.isBranch(rev), path);
  }
}
