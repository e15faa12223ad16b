package dev.threadbare.deploy;

import dev.threadbare.sandbox.Sandboxes;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Deployment figures (docs/PERFORMANCE.md, "## Deploy"), each against a baseline in the same run:
 *
 * <ul>
 *   <li>{@code cold}: request to first byte of a stopped deployment (sandboxed, and on the host)
 *       vs the same app's own exec to listening;
 *   <li>{@code proxy}: wrk against the app directly, through our proxy and through nginx;
 *   <li>{@code many}: 200 deployments requested once each: running count and server memory.
 * </ul>
 *
 * Run by bench/deploy/run.sh.
 */
public final class DeployBench {

  static final String PYTHON = "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n";

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    Path root = Files.createTempDirectory("deploy-bench");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    if (what.equals("cold") || what.equals("all")) {
      cold(root.resolve("cold"), 15);
    }
    if (what.equals("proxy") || what.equals("all")) {
      proxy(root.resolve("proxy"));
    }
    if (what.equals("serve")) {
      try (ProxyFixture fx = fixture(root.resolve("serve"), true, 4)) {
        Deployment d = fx.deploy("node", "[deploy]\nrun = \"node server.js\"\n", Map.of());
        fx.get(d.id(), "/");
        System.out.println("proxy 127.0.0.1:" + fx.port() + " host " + d.id() + ".localhost");
        System.out.println(fx.logOf(d.id()));
        Thread.sleep(600_000);
      }
    }
    if (what.equals("many") || what.equals("all")) {
      many(root.resolve("many"), 200, 20);
    }
  }

  static Launcher sandbox(Path data) {
    return new SandboxLauncher(Sandboxes.bubblewrap(data.resolve("deploys").resolve(".scratch")));
  }

  static ProxyFixture fixture(Path data, boolean sandboxed, int maxRunning) throws Exception {
    Files.createDirectories(data);
    return fixture(data, sandboxed ? sandbox(data) : new HostLauncher(), maxRunning);
  }

  static ProxyFixture fixture(Path data, Launcher launcher, int maxRunning) throws Exception {
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x"));
    return new ProxyFixture(data, launcher, s -> s.withMaxRunning(maxRunning));
  }

  // ---- cold start

  static void cold(Path data, int runs) throws Exception {
    Path app = data.resolve("own");
    Files.createDirectories(app);
    Files.copy(Path.of("src/test/resources/apps/python/app.py"), app.resolve("app.py"));
    Files.writeString(app.resolve("VERSION"), "own");
    List<Double> own = new ArrayList<>();
    List<Double> host = new ArrayList<>();
    List<Double> boxedHostNet = new ArrayList<>();
    List<Double> boxed = new ArrayList<>();
    Path jfr = data.resolve("starts.jfr");
    try (Recording recording = new Recording();
        ProxyFixture hostFx = fixture(data.resolve("host"), new HostLauncher(), 4);
        ProxyFixture hostNetFx =
            fixture(
                data.resolve("sandbox-host-net"),
                SandboxLauncher.onHostNetwork(
                    Sandboxes.bubblewrap(
                        data.resolve("sandbox-host-net").resolve("deploys").resolve(".scratch"))),
                4);
        ProxyFixture boxedFx = fixture(data.resolve("sandbox"), true, 4)) {
      recording.enable("threadbare.DeployStart");
      recording.start();
      Deployment hostD = hostFx.deploy("python", PYTHON, Map.of("VERSION", "bench"));
      Deployment hostNetD = hostNetFx.deploy("python", PYTHON, Map.of("VERSION", "bench"));
      Deployment boxedD = boxedFx.deploy("python", PYTHON, Map.of("VERSION", "bench"));
      for (ProxyFixture fx : List.of(hostFx, hostNetFx, boxedFx)) {
        Deployment d = fx == hostFx ? hostD : fx == hostNetFx ? hostNetD : boxedD;
        fx.get(d.id(), "/"); // build once, warm the path
      }
      // Side by side: each round measures every path once, so load drifts hit all alike.
      for (int i = 0; i < runs; i++) {
        own.add(ownStart(app));
        host.add(coldOnce(hostFx, hostD));
        boxedHostNet.add(coldOnce(hostNetFx, hostNetD));
        boxed.add(coldOnce(boxedFx, boxedD));
      }
      recording.stop();
      recording.dump(jfr);
      System.out.printf(
          "cold start, python http.server, %d runs each, interleaved (median / p90 ms); %s%n"
              + "  app's own exec -> listening            %7.1f / %7.1f%n"
              + "  request -> first byte, host process    %7.1f / %7.1f  (+%.1f ms over own)%n"
              + "  request -> first byte, sandbox, host net %5.1f / %7.1f  (+%.1f ms over own)%n"
              + "  request -> first byte, sandbox, private  %5.1f / %7.1f  (+%.1f ms over own)%n",
          runs,
          load(),
          median(own),
          p90(own),
          median(host),
          p90(host),
          median(host) - median(own),
          median(boxedHostNet),
          p90(boxedHostNet),
          median(boxedHostNet) - median(own),
          median(boxed),
          p90(boxed),
          median(boxed) - median(own));
      phases(jfr, Map.of(hostD.id().toString(), "host process", hostNetD.id().toString(),
          "sandbox, host net", boxedD.id().toString(), "sandbox, private"));
    }
  }

  /** The medians of each start's phases (the JFR events the supervisor commits), per path. */
  static void phases(Path jfr, Map<String, String> names) throws Exception {
    Map<String, Map<String, List<Double>>> byPath = new java.util.TreeMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      String path = names.get(e.getString("deployment"));
      if (path == null) {
        continue;
      }
      Map<String, List<Double>> phases =
          byPath.computeIfAbsent(path, k -> new java.util.LinkedHashMap<>());
      for (String phase : List.of("prepare", "spawn", "listening", "record")) {
        phases
            .computeIfAbsent(phase, k -> new ArrayList<>())
            .add(e.getDuration(phase).toNanos() / 1e6);
      }
      phases.computeIfAbsent("whole start", k -> new ArrayList<>())
          .add(e.getDuration().toNanos() / 1e6);
    }
    System.out.println("  phases of the starts (medians, ms; JFR event threadbare.DeployStart):");
    byPath.forEach(
        (path, phases) -> {
          StringBuilder line = new StringBuilder("    " + path + ":");
          phases.forEach(
              (phase, xs) -> line.append(String.format(" %s %.1f", phase, median(xs))));
          System.out.println(line);
        });
  }

  static double ownStart(Path app) throws Exception {
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "app.py").directory(app.toFile());
    pb.environment().put("PORT", Integer.toString(port));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    while (!answers(port)) {
      Thread.sleep(0, 200_000);
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    p.destroy();
    p.waitFor();
    return ms;
  }

  static double coldOnce(ProxyFixture fx, Deployment d) throws Exception {
    fx.deployer.stop(d.id());
    long t0 = System.nanoTime();
    HttpResponse<InputStream> r =
        fx.http.send(fx.request(d.id(), "/").build(), HttpResponse.BodyHandlers.ofInputStream());
    double ms;
    try (InputStream in = r.body()) {
      in.read();
      ms = (System.nanoTime() - t0) / 1e6;
      in.readAllBytes();
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("cold start answered " + r.statusCode());
    }
    return ms;
  }

  static String load() throws Exception {
    String[] avg = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return "load average " + avg[0] + " " + avg[1] + " " + avg[2];
  }

  // ---- proxy throughput

  static void proxy(Path data) throws Exception {
    String toml = "[deploy]\nrun = \"node server.js\"\n";
    try (ProxyFixture fx = fixture(data.resolve("private"), true, 4);
        ProxyFixture hostNetFx =
            fixture(
                data.resolve("host-net"),
                SandboxLauncher.onHostNetwork(
                    Sandboxes.bubblewrap(
                        data.resolve("host-net").resolve("deploys").resolve(".scratch"))),
                4)) {
      Deployment d = fx.deploy("node", toml, Map.of());
      Deployment h = hostNetFx.deploy("node", toml, Map.of());
      int appPort = warmPort(fx, d);
      int hostNetPort = warmPort(hostNetFx, h);
      Path socket = socketOf(fx, d);
      System.out.printf(
          "private app: bridge port %d answers %s; socket %s; host-net app port %d%n",
          appPort, answers(appPort), socket, hostNetPort);
      int nginxPort = freePort();
      int nginxUnixPort = freePort();
      int nginxHostNetPort = freePort();
      Process nginx =
          nginx(
              data.resolve("nginx"),
              List.of(
                  nginxPort + " 127.0.0.1:" + appPort,
                  nginxUnixPort + " unix:" + socket,
                  nginxHostNetPort + " 127.0.0.1:" + hostNetPort));
      try {
        String host = d.id() + ".localhost:" + fx.port();
        String hostNetHost = h.id() + ".localhost:" + hostNetFx.port();
        // A longer warm-up: the JIT compiles the proxy's path before anything is measured.
        wrk("http://127.0.0.1:" + fx.port() + "/", host, 8);
        wrk("http://127.0.0.1:" + hostNetFx.port() + "/", hostNetHost, 4);
        for (int round = 0; round < 2; round++) {
          String load = load();
          Wrk hnDirect = wrk("http://127.0.0.1:" + hostNetPort + "/", "127.0.0.1", 8);
          Wrk hnOurs = wrk("http://127.0.0.1:" + hostNetFx.port() + "/", hostNetHost, 8);
          Wrk hnNginx = wrk("http://127.0.0.1:" + nginxHostNetPort + "/", hostNetHost, 8);
          Wrk direct = wrk("http://127.0.0.1:" + appPort + "/", "127.0.0.1", 8);
          Wrk ours = wrk("http://127.0.0.1:" + fx.port() + "/", host, 8);
          Wrk viaNginx = wrk("http://127.0.0.1:" + nginxPort + "/", host, 8);
          Wrk viaNginxUnix = wrk("http://127.0.0.1:" + nginxUnixPort + "/", host, 8);
          System.out.printf(
              "proxy round %d, wrk -t2 -c32 -d8s, node http server (req/s, p99 ms); %s%n"
                  + " sandbox on the host network (no bridge):%n"
                  + "  direct                       %9.0f  %7.2f%n"
                  + "  threadbare proxy             %9.0f  %7.2f   %.2fx direct, %.2fx nginx%n"
                  + "  nginx proxy                  %9.0f  %7.2f   %.2fx direct%n"
                  + " sandbox with its private network:%n"
                  + "  direct (TCP bridge + socat)  %9.0f  %7.2f   %.2fx host-net direct%n"
                  + "  threadbare proxy (unix sock) %9.0f  %7.2f   %.2fx direct, %.2fx nginx (TCP),"
                  + " %.2fx nginx (unix)%n"
                  + "  nginx proxy (TCP bridge)     %9.0f  %7.2f   %.2fx direct%n"
                  + "  nginx proxy (unix socket)    %9.0f  %7.2f   %.2fx direct%n",
              round + 1,
              load,
              hnDirect.rps,
              hnDirect.p99,
              hnOurs.rps,
              hnOurs.p99,
              hnOurs.rps / hnDirect.rps,
              hnOurs.rps / hnNginx.rps,
              hnNginx.rps,
              hnNginx.p99,
              hnNginx.rps / hnDirect.rps,
              direct.rps,
              direct.p99,
              direct.rps / hnDirect.rps,
              ours.rps,
              ours.p99,
              ours.rps / direct.rps,
              ours.rps / viaNginx.rps,
              ours.rps / viaNginxUnix.rps,
              viaNginx.rps,
              viaNginx.p99,
              viaNginx.rps / direct.rps,
              viaNginxUnix.rps,
              viaNginxUnix.p99,
              viaNginxUnix.rps / direct.rps);
        }
      } finally {
        nginx.destroy();
        nginx.waitFor();
      }
    }
  }

  /** Starts deployment {@code d} with one request; its app's port on the host. */
  static int warmPort(ProxyFixture fx, Deployment d) throws Exception {
    if (fx.get(d.id(), "/").statusCode() != 200) {
      throw new IllegalStateException("the node app did not start: " + fx.logOf(d.id()));
    }
    Matcher m = Pattern.compile("\\$PORT=(\\d+)").matcher(fx.logOf(d.id()));
    int port = 0;
    while (m.find()) {
      port = Integer.parseInt(m.group(1));
    }
    return port;
  }

  /** The short link to the running deployment's Unix socket (the launcher's tb-net-* link). */
  static Path socketOf(ProxyFixture fx, Deployment d) throws Exception {
    Path dir = fx.data.resolve("deploys").resolve(d.id().toString()).toAbsolutePath();
    try (var links = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      for (Path link : links.filter(p -> p.getFileName().toString().startsWith("tb-net-")).toList()) {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).startsWith(dir)) {
          return link.resolve("app.sock");
        }
      }
    }
    throw new IllegalStateException("no socket link for " + dir);
  }

  record Wrk(double rps, double p99) {}

  static Wrk wrk(String url, String host, int seconds) throws Exception {
    Process p =
        new ProcessBuilder(
                "wrk", "-t2", "-c32", "-d" + seconds + "s", "--latency", "-H", "Host: " + host, url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher rps = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(out);
    Matcher p99 = Pattern.compile("99%\\s+([\\d.]+)(us|ms|s)").matcher(out);
    if (!rps.find() || !p99.find()) {
      throw new IllegalStateException("wrk said: " + out);
    }
    double v = Double.parseDouble(p99.group(1));
    double ms = switch (p99.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
    if (out.contains("Non-2xx")) {
      throw new IllegalStateException("errors under load: " + out);
    }
    return new Wrk(Double.parseDouble(rps.group(1)), ms);
  }

  /** nginx with one server per {@code "<listen port> <upstream address>"}, keep-alive upstreams. */
  static Process nginx(Path prefix, List<String> servers) throws Exception {
    Files.createDirectories(prefix.resolve("logs"));
    StringBuilder conf =
        new StringBuilder(
            "worker_processes 2;\nerror_log "
                + prefix.resolve("logs/error.log")
                + ";\npid "
                + prefix.resolve("nginx.pid")
                + ";\nevents { worker_connections 1024; }\n"
                + "http {\n  access_log off;\n"
                + "  client_body_temp_path "
                + prefix
                + "/body; proxy_temp_path "
                + prefix
                + "/proxy; fastcgi_temp_path "
                + prefix
                + "/fcgi; uwsgi_temp_path "
                + prefix
                + "/uwsgi; scgi_temp_path "
                + prefix
                + "/scgi;\n");
    List<Integer> ports = new ArrayList<>();
    int n = 0;
    for (String server : servers) {
      String[] parts = server.split(" ");
      ports.add(Integer.parseInt(parts[0]));
      conf.append("  upstream app")
          .append(n)
          .append(" { server ")
          .append(parts[1])
          .append("; keepalive 64; }\n")
          .append("  server { listen 127.0.0.1:")
          .append(parts[0])
          .append(";\n    location / { proxy_pass http://app")
          .append(n)
          .append("; proxy_http_version 1.1;")
          .append(" proxy_set_header Connection \"\"; proxy_set_header Host $host;")
          .append(" proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
          .append(" proxy_set_header X-Forwarded-Proto $scheme; proxy_buffering off; } }\n");
      n++;
    }
    conf.append("}\n");
    Path file = prefix.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p =
        new ProcessBuilder(
                "/usr/sbin/nginx", "-p", prefix.toString(), "-c", file.toString(), "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout").toFile())
            .start();
    for (int port : ports) {
      while (!answers(port)) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "nginx exited: " + Files.readString(prefix.resolve("logs/stdout")));
        }
        Thread.sleep(10);
      }
    }
    return p;
  }

  // ---- many deployments

  static void many(Path data, int count, int maxRunning) throws Exception {
    try (ProxyFixture fx = fixture(data, true, maxRunning)) {
      long t0 = System.nanoTime();
      int ok = 0;
      for (int i = 0; i < count; i++) {
        Deployment d = fx.deploy("python", PYTHON, Map.of("VERSION", "v" + i));
        if (fx.get(d.id(), "/").body().equals("version v" + i)) {
          ok++;
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      String rss =
          Files.readAllLines(Path.of("/proc/self/status")).stream()
              .filter(l -> l.startsWith("VmRSS"))
              .findFirst()
              .orElse("VmRSS: ?");
      System.out.printf(
          "%d deployments requested once each (--max-running %d): %d answered, %d running at the"
              + " end, %.1f s in all (%.0f ms each incl. build + cold start); server heap after GC"
              + " %.1f MB, %s; %s%n",
          count,
          maxRunning,
          ok,
          fx.deployer.runningCount(),
          seconds,
          seconds * 1000 / count,
          heap / 1e6,
          rss.replaceAll("\\s+", " "),
          load());
    }
  }

  // ---- helpers

  static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 100);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static double p90(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.9) - 1));
  }
}
