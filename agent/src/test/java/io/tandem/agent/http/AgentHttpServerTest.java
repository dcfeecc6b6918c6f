package io.tandem.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.common.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentHttpServerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<AgentSnapshot> snapshot = new AtomicReference<>();
  private final AgentMetrics metrics = new AgentMetrics("g", "a");
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    snapshot.set(standby());
    metrics.bind(snapshot::get);
    server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), snapshot::get, metrics);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static AgentSnapshot standby() {
    return new AgentSnapshot("g", "a", "standby", false, 0, "b", 7, 3, 0, 0, 0, "STANDBY", 42, "",
        "127.0.0.1:7400", "standby: active b (token 7)", "standby: active b (token 7)", 0);
  }

  private static AgentSnapshot active(long stopAtNanos) {
    return new AgentSnapshot("g", "a", "active", true, 9, "a", 9, 7, stopAtNanos, 0, 2000, "RUNNING", 42,
        "", "127.0.0.1:7400", "flows started", "active", System.currentTimeMillis());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAnswersWhileTheAgentRuns() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
  }

  @Test
  void activeIs503OnAStandbyAnd200OnlyWithAValidLease() throws Exception {
    assertThat(get("/active").statusCode()).isEqualTo(503);
    snapshot.set(active(System.nanoTime() + 5_000_000_000L));
    HttpResponse<String> r = get("/active");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.get("active").asBoolean()).isTrue();
    assertThat(body.get("token").asLong()).isEqualTo(9);
    // the same snapshot once the stop time has passed: not active any more
    snapshot.set(active(System.nanoTime() - 1));
    assertThat(get("/active").statusCode()).isEqualTo(503);
  }

  @Test
  void statusHasAContextObjectOnlyWhenTheStoreIsOn() throws Exception {
    assertThat(new ObjectMapper().readTree(get("/status").body()).has("context")).isFalse();
    com.fasterxml.jackson.databind.node.ObjectNode ctx = new ObjectMapper().createObjectNode()
        .put("role", "writer").put("version", 12);
    try (AgentHttpServer withContext = AgentHttpServer.start(new HostPort("127.0.0.1", 0), snapshot::get, metrics,
        java.util.List.of(), BearerToken.NONE, () -> ctx)) {
      JsonNode s = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + withContext.port() + "/status")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(s.path("context").path("role").asText()).isEqualTo("writer");
      assertThat(s.path("context").path("version").asLong()).isEqualTo(12);
      assertThat(s.path("instance").asText()).isEqualTo("a");
    }
  }

  @Test
  void statusShowsRoleTokensRuntimeAndLastReason() throws Exception {
    JsonNode s = new ObjectMapper().readTree(get("/status").body());
    assertThat(s.get("group").asText()).isEqualTo("g");
    assertThat(s.get("instance").asText()).isEqualTo("a");
    assertThat(s.get("role").asText()).isEqualTo("standby");
    assertThat(s.get("committedActive").asText()).isEqualTo("b");
    assertThat(s.get("fencedToken").asLong()).isEqualTo(3);
    assertThat(s.get("leaseLeftMillis").asLong()).isEqualTo(-1);
    assertThat(s.get("runtime").asText()).isEqualTo("STANDBY");
    assertThat(s.get("pid").asLong()).isEqualTo(42);
    assertThat(s.get("coordinator").asText()).isEqualTo("127.0.0.1:7400");
    assertThat(s.get("lastReason").asText()).isEqualTo("standby: active b (token 7)");
    assertThat(s.get("lastActionAt").isNull()).isTrue();
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    metrics.action("STOP", "LEASE_LOST");
    metrics.heartbeat("granted", 2_000_000);
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("tandem_agent_role{group=\"g\",instance=\"a\",role=\"standby\"} 1.0")
        .contains("tandem_agent_role{group=\"g\",instance=\"a\",role=\"active\"} 0.0")
        .contains("tandem_agent_actions_total{action=\"STOP\",group=\"g\",instance=\"a\","
            + "reason=\"LEASE_LOST\"} 1.0")
        .contains("tandem_agent_heartbeats_total{group=\"g\",instance=\"a\",result=\"granted\"} 1.0")
        .contains("tandem_agent_heartbeat_latency_seconds_count")
        .contains("tandem_agent_lease_left_seconds")
        .contains("tandem_agent_runtime_restarts_total");
  }

  @Test
  void activeWithWaitMillisAnswers200AsSoonAsTheInstanceBecomesTheActive() throws Exception {
    // committed active: this instance, flows not running yet (a switch to it under way)
    snapshot.set(new AgentSnapshot("g", "a", "standby", false, 0, "a", 9, 7, 0, 0, 0, "STANDBY", 42, "",
        "127.0.0.1:7400", "starting flows", "standby", 0));
    java.util.concurrent.CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/active?waitMillis=5000")).build(),
        HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    assertThat(held).as("held while no instance runs the flows").isNotDone();
    snapshot.set(active(System.nanoTime() + 5_000_000_000L));
    assertThat(held.get(4, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void activeWithWaitMillisAnswers503AfterTheWaitWhenTheInstanceDoesNotBecomeTheActive() throws Exception {
    assertThat(get("/active?waitMillis=200").statusCode()).isEqualTo(503); // standby()
  }

  @Test
  void waitMillisIsClampedAndIgnoredWhenNotANumber() {
    assertThat(ActiveWait.millis(null)).isZero();
    assertThat(ActiveWait.millis("soon")).isZero();
    assertThat(ActiveWait.millis("-5")).isZero();
    assertThat(ActiveWait.millis("250")).isEqualTo(250);
    assertThat(ActiveWait.millis("999999")).isEqualTo(ActiveWait.MAX_MILLIS);
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/active"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
  }
}
