package io.tandem.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.common.config.HostPort;
import io.tandem.http.HttpServers;
import io.tandem.http.RequestDeadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The agent's local HTTP API: {@code GET /health}, {@code /active} (for HAProxy / nginx checks),
 * {@code /status} (JSON for operators) and {@code /metrics} (Prometheus), plus any
 * {@link HttpRoute}s given at start. Served by Jetty with the limits of {@link HttpServers}.
 * {@code /health} and {@code /active} are always open (load balancers); {@code /status} and
 * {@code /metrics} answer 401 without {@code Authorization: Bearer TOKEN} when a {@link BearerToken}
 * is configured (the routes check their own credentials).
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Server server;

  private AgentHttpServer(Server server) {
    this.server = server;
  }

  /**
   * Binds and starts the server with the built-in endpoints only.
   *
   * @throws IOException naming the address if it cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics) throws IOException {
    return start(address, snapshot, metrics, List.of());
  }

  /**
   * Binds and starts the server with the built-in endpoints and {@code routes}.
   *
   * @throws IOException naming the address if it cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics, List<HttpRoute> routes) throws IOException {
    return start(address, snapshot, metrics, routes, BearerToken.NONE);
  }

  /**
   * As {@link #start(HostPort, Supplier, AgentMetrics, List)}, with {@code token} required on
   * {@code /status} and {@code /metrics}.
   *
   * @throws IOException naming the address if it cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics, List<HttpRoute> routes, BearerToken token) throws IOException {
    return start(address, snapshot, metrics, routes, token, null);
  }

  /**
   * As {@link #start(HostPort, Supplier, AgentMetrics, List, BearerToken)}; {@code contextStatus}
   * (null: the context store is off) gives the "context" object of /status.
   *
   * @throws IOException if the address cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics, List<HttpRoute> routes, BearerToken token,
      Supplier<? extends com.fasterxml.jackson.databind.JsonNode> contextStatus) throws IOException {
    return start(address, snapshot, metrics, routes, token, contextStatus, null);
  }

  /**
   * As above; {@code locksStatus} (null: none) gives the "locks" array of /status.
   *
   * @throws IOException if the address cannot be bound
   */
  public static AgentHttpServer start(HostPort address, Supplier<AgentSnapshot> snapshot,
      AgentMetrics metrics, List<HttpRoute> routes, BearerToken token,
      Supplier<? extends com.fasterxml.jackson.databind.JsonNode> contextStatus,
      Supplier<? extends com.fasterxml.jackson.databind.JsonNode> locksStatus) throws IOException {
    Handler handler = new Api(snapshot, metrics, new RouteTable(routes), token, contextStatus,
        locksStatus);
    return new AgentHttpServer(HttpServers.start(address.host(), address.port(), "http", handler));
  }

  public int port() {
    return HttpServers.port(server);
  }

  @Override
  public void close() {
    HttpServers.stop(server);
  }

  private static final class Api extends Handler.Abstract {
    private final Supplier<AgentSnapshot> snapshot;
    private final AgentMetrics metrics;
    private final RouteTable routes;
    private final BearerToken token;
    private final Supplier<? extends com.fasterxml.jackson.databind.JsonNode> contextStatus;
    private final Supplier<? extends com.fasterxml.jackson.databind.JsonNode> locksStatus;

    Api(Supplier<AgentSnapshot> snapshot, AgentMetrics metrics, RouteTable routes, BearerToken token,
        Supplier<? extends com.fasterxml.jackson.databind.JsonNode> contextStatus,
        Supplier<? extends com.fasterxml.jackson.databind.JsonNode> locksStatus) {
      this.locksStatus = locksStatus;
      this.snapshot = snapshot;
      this.metrics = metrics;
      this.routes = routes;
      this.token = token;
      this.contextStatus = contextStatus;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      switch (path) {
        case "/health", "/active", "/status", "/metrics" -> {
          RequestDeadline.received(request);
          if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            text(request, response, callback, 405, "only GET is supported\n");
          } else if (("/status".equals(path) || "/metrics".equals(path))
              && !token.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"tandem-agent\"");
            text(request, response, callback, 401, path + " needs the agent's http.token: send the header "
                + "\"Authorization: Bearer TOKEN\" with the token from http.token or http.tokenFile in the "
                + "agent's YAML (/health and /active stay open)\n");
          } else {
            builtIn(path, request, response, callback);
          }
        }
        default -> routes.serve(path, request, response, callback);
      }
      return true;
    }

    private void builtIn(String path, Request request, Response response, Callback callback) {
      switch (path) {
        case "/health" -> text(request, response, callback, 200, "ok\n");
        case "/active" -> active(request, response, callback);
        case "/status" -> HttpServers.send(request, response, callback, 200, "application/json",
            utf8(status(snapshot.get(), contextStatus == null ? null : contextStatus.get(),
                locksStatus == null ? null : locksStatus.get()) + "\n"));
        default -> HttpServers.send(request, response, callback, 200,
            "text/plain; version=0.0.4; charset=utf-8", utf8(metrics.scrape()));
      }
    }

    private void active(Request request, Response response, Callback callback) {
      long wait = ActiveWait.millis(Request.extractQueryParameters(request).getValue("waitMillis"));
      if (wait == 0) {
        answerActive(request, response, callback);
        return;
      }
      ActiveWait.await(snapshot, System.nanoTime() + wait * 1_000_000, request.getComponents().getScheduler(),
          () -> answerActive(request, response, callback));
    }

    private void answerActive(Request request, Response response, Callback callback) {
      AgentSnapshot s = snapshot.get();
      long now = System.nanoTime();
      boolean active = s.activeNow(now);
      ObjectNode body = JSON.createObjectNode()
          .put("active", active)
          .put("group", s.group())
          .put("instance", s.instance())
          .put("token", active ? s.token() : 0)
          .put("leaseLeftMillis", s.leaseLeftMillis(now));
      HttpServers.send(request, response, callback, active ? 200 : 503, "application/json",
          utf8(body + "\n"));
    }
  }

  static void text(Request request, Response response, Callback callback, int status, String body) {
    HttpServers.send(request, response, callback, status, "text/plain", utf8(body));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String status(AgentSnapshot s) {
    return status(s, null);
  }

  /** The /status body; {@code context} (null: the store is off) becomes its "context" object. */
  static String status(AgentSnapshot s, com.fasterxml.jackson.databind.JsonNode context) {
    return status(s, context, null);
  }

  /** As above; {@code locks} (null: none) becomes the "locks" array. */
  static String status(AgentSnapshot s, com.fasterxml.jackson.databind.JsonNode context,
      com.fasterxml.jackson.databind.JsonNode locks) {
    long now = System.nanoTime();
    ObjectNode o = JSON.createObjectNode()
        .put("group", s.group())
        .put("instance", s.instance())
        .put("mode", s.mode())
        .put("role", s.activeNow(now) ? (AgentSnapshot.ALL_ACTIVE.equals(s.mode()) ? "member" : "active")
            : s.role())
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
        .put("situation", s.situation())
        .put("heartbeatRefusal", s.heartbeatRefusal());
    o.put("lastActionAt", s.lastActionAtMillis() == 0 ? null
        : java.time.Instant.ofEpochMilli(s.lastActionAtMillis()).toString());
    if (context != null) {
      o.set("context", context);
    }
    o.set("locks", locks == null ? JSON.createArrayNode() : locks);
    return o.toString();
  }
}
