package io.tandem.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tandem.agent.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's local HTTP API: {@code GET /health}, {@code /active} (for HAProxy / nginx checks),
 * {@code /status} (JSON for operators) and {@code /metrics} (Prometheus).
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService pool;
  private final Supplier<AgentSnapshot> snapshot;
  private final AgentMetrics metrics;

  private AgentHttpServer(HttpServer server, ExecutorService pool, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics) {
    this.server = server;
    this.pool = pool;
    this.snapshot = snapshot;
    this.metrics = metrics;
  }

  /**
   * Binds and starts the server.
   *
   * @throws IOException naming the address if it cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 32);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + address + " (http): " + e.getMessage(), e);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "tandem-http");
      t.setDaemon(true);
      return t;
    });
    AgentHttpServer s = new AgentHttpServer(server, pool, snapshot, metrics);
    server.setExecutor(pool);
    server.createContext("/", s::handle);
    server.start();
    return s;
  }

  /** Serves every path under {@code prefix} with {@code handler} (e.g. the storage plugin's endpoints). */
  public void route(String prefix, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(prefix, handler);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        send(ex, 405, "text/plain", "only GET is supported\n");
        return;
      }
      switch (ex.getRequestURI().getPath()) {
        case "/health" -> send(ex, 200, "text/plain", "ok\n");
        case "/active" -> active(ex);
        case "/status" -> send(ex, 200, "application/json", status(snapshot.get()) + "\n");
        case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        default -> send(ex, 404, "text/plain", "not found; try /health, /active, /status, /metrics\n");
      }
    }
  }

  private void active(HttpExchange ex) throws IOException {
    AgentSnapshot s = snapshot.get();
    long now = System.nanoTime();
    boolean active = s.activeNow(now);
    ObjectNode body = JSON.createObjectNode()
        .put("active", active)
        .put("group", s.group())
        .put("instance", s.instance())
        .put("token", active ? s.token() : 0)
        .put("leaseLeftMillis", s.leaseLeftMillis(now));
    send(ex, active ? 200 : 503, "application/json", body + "\n");
  }

  static String status(AgentSnapshot s) {
    long now = System.nanoTime();
    ObjectNode o = JSON.createObjectNode()
        .put("group", s.group())
        .put("instance", s.instance())
        .put("role", s.activeNow(now) ? "active" : s.role())
        .put("token", s.token())
        .put("committedActive", s.committedActive())
        .put("committedToken", s.committedToken())
        .put("fencedToken", s.fencedToken())
        .put("leaseLeftMillis", s.leaseLeftMillis(now))
        .put("leaseMillis", s.leaseMillis())
        .put("runtime", s.runtimeState())
        .put("pid", s.pid())
        .put("runtimeDetail", s.runtimeDetail())
        .put("coordinator", s.coordinator())
        .put("lastReason", s.lastReason())
        .put("situation", s.situation());
    o.put("lastActionAt", s.lastActionAtMillis() == 0 ? null
        : java.time.Instant.ofEpochMilli(s.lastActionAtMillis()).toString());
    return o.toString();
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
