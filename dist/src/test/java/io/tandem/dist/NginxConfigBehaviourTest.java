package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/nginx/tandem.conf in a real nginx in front of stand-ins on 127.0.0.1: two "Node-RED"s that
 * answer the route only while their instance is the active (else 404, like stopped flows), and two
 * "agents" whose /active?waitMillis=N answers 200 once their instance is the active, else 503 after
 * N ms. The failover with a real cluster is NginxFailoverIT; this checks the methods' paths in
 * seconds. nginx is required on CI (NginxConfigTest#nginx).
 */
class NginxConfigBehaviourTest {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<HttpServer> servers = new ArrayList<>();
  private final Instance a = new Instance("a");
  private final Instance b = new Instance("b");
  private Process nginx;
  private int port;

  /** One instance: its Node-RED stand-in and its agent stand-in. */
  private final class Instance {
    final String name;
    final AtomicBoolean active = new AtomicBoolean();
    final AtomicInteger posts = new AtomicInteger();
    HttpServer nodeRed;
    HttpServer agent;

    Instance(String name) {
      this.name = name;
    }

    void start() throws IOException {
      nodeRed = server(ex -> {
        boolean runs = active.get() && ex.getRequestURI().getPath().equals("/route");
        if (runs && ex.getRequestMethod().equals("POST")) {
          posts.incrementAndGet();
        }
        answer(ex, runs ? 200 : 404, runs ? name : "Cannot " + ex.getRequestMethod());
      });
      agent = server(ex -> {
        String q = ex.getRequestURI().getQuery();
        long wait = q != null && q.startsWith("waitMillis=") ? Long.parseLong(q.substring(11)) : 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        while (!active.get() && System.nanoTime() < end) {
          sleep(5);
        }
        answer(ex, active.get() ? 200 : 503, "{}");
      });
    }
  }

  private interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  private HttpServer server(Handler h) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    s.createContext("/", ex -> {
      try {
        ex.getRequestBody().readAllBytes();
        h.handle(ex);
      } finally {
        ex.close();
      }
    });
    s.setExecutor(Executors.newCachedThreadPool());
    s.start();
    servers.add(s);
    return s;
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startNginx(Path dir) throws Exception {
    a.start();
    b.start();
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Files.createDirectories(dir.resolve("logs"));
    Path conf = dir.resolve("tandem.conf");
    Files.writeString(conf, NginxConfigTest.render(Files.readString(DistPaths.ops("nginx").resolve("tandem.conf")),
        Map.of("TANDEM_LISTEN", "127.0.0.1:" + port,
            "TANDEM_A_NODERED", "127.0.0.1:" + a.nodeRed.getAddress().getPort(),
            "TANDEM_A_AGENT", "127.0.0.1:" + a.agent.getAddress().getPort(),
            "TANDEM_B_NODERED", "127.0.0.1:" + b.nodeRed.getAddress().getPort(),
            "TANDEM_B_AGENT", "127.0.0.1:" + b.agent.getAddress().getPort())));
    nginx = new ProcessBuilder(NginxConfigTest.nginx().toString(), "-p", dir.toString(), "-c", conf.toString(),
        "-e", "stderr", "-g", "daemon off;").redirectErrorStream(true)
        .redirectOutput(dir.resolve("nginx.out").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        assertThat(nginx.isAlive()).as("nginx running (%s)", dir.resolve("nginx.out")).isTrue();
        assertThat(System.nanoTime()).as("nginx listening within 10 s").isLessThan(end);
        sleep(20);
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      // the master first: a master that outlives a killed worker starts a new one
      List<ProcessHandle> workers = nginx.descendants().toList();
      nginx.destroyForcibly();
      nginx.waitFor(10, TimeUnit.SECONDS);
      workers.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle w : workers) {
        w.onExit().get(10, TimeUnit.SECONDS);
      }
    }
    servers.forEach(s -> s.stop(0));
  }

  private HttpResponse<String> send(String method) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/route"))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("x=1")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyPostReachesTheActiveOnceAlthoughHalfOfThemMeetTheStandbyFirst(@TempDir Path dir) throws Exception {
    a.active.set(true);
    startNginx(dir);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = send("POST");
      assertThat(r.statusCode()).as("POST %d: %s", i, r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("a");
    }
    assertThat(a.posts.get()).as("POSTs run by the active").isEqualTo(20);
    assertThat(send("GET").body()).isEqualTo("a");
  }

  @Test
  void aGetIsHeldWhileNoInstanceIsTheActiveAndServedByTheNewOne(@TempDir Path dir) throws Exception {
    startNginx(dir);
    CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
      try {
        return send("GET");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    sleep(800);
    assertThat(held).as("held while no instance is the active").isNotDone();
    b.active.set(true);
    HttpResponse<String> r = held.get(5, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("b");
  }

  @Test
  void aPostWhileNoInstanceIsTheActiveIsNotHeldAndGetsTheStandbys404(@TempDir Path dir) throws Exception {
    startNginx(dir);
    HttpResponse<String> r = send("POST");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(a.posts.get() + b.posts.get()).isZero();
  }
}
