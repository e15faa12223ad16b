package dev.threadbare.prod;

import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.DeploySettings;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.GitSourceTrees;
import dev.threadbare.deploy.HostLauncher;
import dev.threadbare.deploy.Launcher;
import dev.threadbare.deploy.SandboxLauncher;
import dev.threadbare.sandbox.Sandboxes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.DefaultHandler;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Promote → prod URL serving the new version, against the baseline of the app's own start (the
 * same launcher starting the same app, timed to its port answering), and requests dropped while
 * switching: 4 clients request prod continuously through the real proxy during every switch.
 */
public final class ProdBench {

  public static void main(String[] args) throws Exception {
    boolean sandbox = args.length > 0 && args[0].equals("sandbox");
    int switches = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path data = Files.createTempDirectory("prod-bench");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x"));
    Launcher launcher =
        sandbox
            ? new SandboxLauncher(Sandboxes.bubblewrap(data.resolve(".scratch")))
            : new HostLauncher();
    Repository repo =
        new FileRepositoryBuilder().setGitDir(data.resolve("git/C1.git").toFile()).setBare().build();
    repo.create(true);
    GitSourceTrees sources = new GitSourceTrees(c -> repo, false);
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    Deployer deployer =
        Deployer.open(
            DeploySettings.defaults(data, "localhost", "http://127.0.0.1"),
            sources,
            launcher,
            DeploymentDatabases.NONE,
            new SimpleMeterRegistry());
    ProdServer prod =
        ProdServer.open(
            ProdServer.Settings.defaults(data, "localhost"),
            ProdStore.sqlite(data.resolve("prod.db")),
            sources,
            launcher,
            DeploymentDatabases.NONE,
            name -> name.equals("general") ? Optional.of("C1") : Optional.empty(),
            key ->
                sources
                    .readFile("C1", key.substring(key.indexOf(' ') + 1), "threadbare.toml")
                    .flatMap(DeployConfig::parse));
    deployer.routeHosts(prod);
    HandlerWrapper proxy = deployer.handler();
    proxy.setHandler(new DefaultHandler());
    jetty.setHandler(proxy);
    jetty.start();
    int port = connector.getLocalPort();
    String toml = "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n";
    String[] versions = {commit(repo, "v1", toml), commit(repo, "v2", toml)};
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // Warm-up: both versions built, the JIT warm.
    for (String v : versions) {
      step(prod, deployer, v);
    }
    List<Long> baseline = new ArrayList<>();
    List<Long> promote = new ArrayList<>();
    AtomicLong requests = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    for (int i = 0; i < switches; i++) {
      // Baseline: the app's own start with the same launcher, to its port answering.
      Path app = data.resolve("prod/C1/" + versions[0] + "/app");
      int free = freePort();
      long t0 = System.nanoTime();
      Launcher.Running own =
          launcher.start(
              new Launcher.Launch(
                  "/usr/bin/python3 app.py",
                  app,
                  Map.of("PORT", Integer.toString(free)),
                  data.resolve("baseline.log"),
                  free));
      awaitPort(free);
      baseline.add(System.nanoTime() - t0);
      own.stop();
      own.onExit().join();

      // Promotion under load: 4 clients; time until a client first sees the new version.
      String next = versions[(i + 1) % 2];
      String expect = (i + 1) % 2 == 0 ? "v1" : "v2";
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong firstNew = new AtomicLong();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                  .header("Host", "general.prod.localhost:" + port)
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      requests.incrementAndGet();
                      if (r.statusCode() != 200) {
                        dropped.incrementAndGet();
                      } else if (r.body().equals(expect)) {
                        firstNew.compareAndSet(0, System.nanoTime());
                      }
                    } catch (Exception e) {
                      requests.incrementAndGet();
                      dropped.incrementAndGet();
                    }
                  }
                });
        t.start();
        clients.add(t);
      }
      long p0 = System.nanoTime();
      step(prod, deployer, next);
      while (firstNew.get() == 0) {
        Thread.sleep(1);
      }
      promote.add(firstNew.get() - p0);
      Thread.sleep(200); // the old version drains and stops while the clients go on
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "launcher: %s%nswitches: %d%napp's own start (baseline): median %.0f ms, max %.0f ms%n"
            + "promote -> prod serves it:   median %.0f ms, max %.0f ms%n"
            + "overhead over the app's own start: median %+.0f ms (goal: +1000 ms)%n"
            + "requests during switches: %d, dropped: %d (goal: 0)%n",
        launcher.describe(),
        switches,
        ms(median(baseline)),
        ms(Collections.max(baseline)),
        ms(median(promote)),
        ms(Collections.max(promote)),
        ms(median(promote)) - ms(median(baseline)),
        requests.get(),
        dropped.get());
    prod.close();
    deployer.close();
    jetty.stop();
    System.exit(0);
  }

  static void step(ProdServer prod, Deployer deployer, String commit) {
    var d = deployer.deploy("C1", commit).orElseThrow();
    prod.switchTo(
        new ProdServer.Step(
            "C1", ProdEvent.Action.PROMOTE, commit, d.id(), d.config(), "U1", List.of(), null));
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  static void awaitPort(int port) throws InterruptedException {
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 250);
        return;
      } catch (java.io.IOException e) {
        Thread.sleep(2);
      }
    }
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Commits ProdServerTest's app (it serves its version.txt) with {@code toml}. */
  static String commit(Repository repo, String version, String toml) throws java.io.IOException {
    return ProdServerTest.commit(repo, version, toml);
  }
}
