package io.tandem.agent.locks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.agent.control.Committed;
import io.tandem.agent.control.Lease;
import io.tandem.agent.control.View;
import io.tandem.agent.http.AgentHttpServer;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.http.BearerToken;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.common.config.HostPort;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.Lock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lock API on a real agent HTTP server, fed with views as the control loop would. */
class LockEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-agent-token";
  private final HttpClient client = HttpClient.newHttpClient();
  private final List<String> releases = new CopyOnWriteArrayList<>();
  private Locks locks;
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    locks = new Locks("g", "a", new LockTable(), (k, t) -> releases.add(k + "@" + t),
        new AgentMetrics("g", "a"), () -> { }, () -> { });
    AgentSnapshot s = new AgentSnapshot("g", "a", "standby", false, 0, "", 0, 0, 0, 0, 0,
        "STANDBY", 42, "", "127.0.0.1:7400", "", "", 0);
    server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> s, new AgentMetrics("g", "a"),
        new LockEndpoints(locks, TOKEN).routes(), BearerToken.NONE, null,
        () -> LockJson.locks(locks.role(), System.nanoTime()));
  }

  @AfterEach
  void stop() {
    server.close();
    locks.close();
  }

  /** A member running under token 12 with a lease for 2 s and these locks (key, holder, token). */
  private static View member(Object... l) {
    List<Lock> ls = new ArrayList<>();
    for (int i = 0; i < l.length; i += 3) {
      ls.add(Lock.newBuilder().setKey((String) l[i]).setHolder((String) l[i + 1])
          .setToken(((Number) l[i + 2]).longValue()).build());
    }
    long now = System.nanoTime();
    Lease lease = new Lease(12, now, 2000, now + 2_000_000_000L, now + 1_700_000_000L);
    return new View("a", Committed.allActive(12, ls), 0, lease,
        new RuntimeStatus(RuntimeState.RUNTIME_RUNNING, 42, 1, ""), 12, 0, -1, null, false, 0);
  }

  private HttpRequest.Builder req(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
        .header("x-tandem-token", TOKEN).timeout(java.time.Duration.ofSeconds(20));
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return client.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> put(String key, String owner) throws Exception {
    return send(req("/tandem/locks/" + key).PUT(HttpRequest.BodyPublishers.ofString(
        "{\"owner\":\"" + owner + "\"}")).build());
  }

  @Test
  void beforeTheFirstAssignmentTheRoleIs503WithTheKnownFields() throws Exception {
    HttpResponse<String> r = send(req("/tandem/role").GET().build());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("instance").asText()).isEqualTo("a");
    assertThat(json(r).path("coordinator").asBoolean()).isFalse();
    assertThat(json(r).path("error").asText()).contains("coordinators");
  }

  @Test
  void theTokenIsRequired() throws Exception {
    HttpResponse<String> none = send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/tandem/role")).GET().build());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).path("error").asText()).contains("missing x-tandem-token");
    HttpResponse<String> wrong = send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/tandem/locks/k"))
        .header("x-tandem-token", "nope").PUT(HttpRequest.BodyPublishers.ofString("{\"owner\":\"n1\"}")).build());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(locks.table().wanted()).isEmpty();
  }

  @Test
  void badKeysAndBodiesAre400() throws Exception {
    locks.onView(member(), System.nanoTime());
    assertThat(put("bad%20key", "n1").statusCode()).isEqualTo(400);
    assertThat(put("x".repeat(129), "n1").statusCode()).isEqualTo(400);
    HttpResponse<String> noOwner = send(req("/tandem/locks/k").PUT(
        HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(noOwner.statusCode()).isEqualTo(400);
    assertThat(json(noOwner).path("error").asText()).contains("owner");
    assertThat(send(req("/tandem/locks/k").PUT(HttpRequest.BodyPublishers.ofString("{no")).build())
        .statusCode()).isEqualTo(400);
    assertThat(send(req("/tandem/locks/k").DELETE().build()).statusCode()).isEqualTo(400);
    assertThat(send(req("/tandem/role?since=x").GET().build()).statusCode()).isEqualTo(400);
    assertThat(locks.table().wanted()).isEmpty();
  }

  @Test
  void wantHoldAndGiveUpAKey() throws Exception {
    locks.onView(member(), System.nanoTime());
    HttpResponse<String> wanted = put("plc/poll:1", "n1");
    assertThat(wanted.statusCode()).isEqualTo(200);
    assertThat(json(wanted).path("wanted").asBoolean()).isTrue();
    assertThat(json(wanted).path("held").asBoolean()).isFalse();
    assertThat(locks.wantedForHeartbeat()).containsExactly("plc/poll:1");
    locks.onView(member("plc/poll:1", "a", 41), System.nanoTime());
    JsonNode role = json(send(req("/tandem/role").GET().build()));
    assertThat(role.path("mode").asText()).isEqualTo("all-active");
    assertThat(role.path("role").asText()).isEqualTo("member");
    JsonNode lock = role.path("locks").get(0);
    assertThat(lock.path("held").asBoolean()).isTrue();
    assertThat(lock.path("token").asLong()).isEqualTo(41);
    assertThat(lock.path("validForMillis").asLong()).isBetween(1L, 1700L);
    // a second owner, then both go: only the last one gives the key up, at once
    put("plc/poll:1", "n2");
    HttpResponse<String> first = send(req("/tandem/locks/plc/poll:1?owner=n1").DELETE().build());
    assertThat(json(first).path("held").asBoolean()).isTrue();
    assertThat(releases).isEmpty();
    HttpResponse<String> last = send(req("/tandem/locks/plc/poll:1?owner=n2").DELETE().build());
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(json(last).path("held").asBoolean()).isFalse();
    assertThat(releases).containsExactly("plc/poll:1@41");
    assertThat(locks.wantedForHeartbeat()).isEmpty();
    // the committed view still names this instance under 41: never believed again
    locks.onView(member("plc/poll:1", "a", 41), System.nanoTime());
    put("plc/poll:1", "n3");
    assertThat(locks.role().lock("plc/poll:1").held()).isFalse();
    JsonNode status = json(send(req("/status").GET().build()));
    assertThat(status.path("locks").get(0).path("key").asText()).isEqualTo("plc/poll:1");
  }

  @Test
  void theLongPollWakesOnAChangeAndTimesOutOtherwise() throws Exception {
    locks.onView(member(), System.nanoTime());
    long v = json(send(req("/tandem/role").GET().build())).path("version").asLong();
    long t0 = System.nanoTime();
    HttpResponse<String> same = send(req("/tandem/role?since=" + v + "&waitMs=300").GET().build());
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(json(same).path("version").asLong()).isEqualTo(v);
    assertThat(waited).isGreaterThanOrEqualTo(300);
    // a renewal (only the lease's deadline moves) is no change
    locks.onView(member(), System.nanoTime());
    assertThat(locks.role().version()).isEqualTo(v);
    CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
        req("/tandem/role?since=" + v + "&waitMs=20000").GET().build(), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(200);
    assertThat(poll).isNotDone();
    long changedAt = System.nanoTime();
    locks.onView(member("k", "b", 5), System.nanoTime());
    HttpResponse<String> woke = poll.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changedAt)).isLessThan(2000);
    assertThat(json(woke).path("version").asLong()).isGreaterThan(v);
    assertThat(json(woke).path("locks").get(0).path("holder").asText()).isEqualTo("b");
  }

  @Test
  void waitingPollsHoldNoServerThreadAndOutliveTheIdleTimeout() throws Exception {
    locks.onView(member(), System.nanoTime());
    long v = locks.role().version();
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    HttpClient many = HttpClient.newHttpClient();
    for (int i = 0; i < 24; i++) { // three times the server's threads
      polls.add(many.sendAsync(req("/tandem/role?since=" + v + "&waitMs=6000").GET().build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    Thread.sleep(500);
    long t0 = System.nanoTime();
    HttpResponse<String> health = send(req("/health").GET().build());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    assertThat(put("k", "n1").statusCode()).isEqualTo(200); // answered while 24 polls wait
    // the PUT changed the document (a wanted key): every poll wakes with it
    locks.onView(member(), System.nanoTime());
    for (CompletableFuture<HttpResponse<String>> p : polls) {
      assertThat(p.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // one poll that waits past the server's 5 s idle timeout still gets its answer
    long v2 = locks.role().version();
    long t1 = System.nanoTime();
    HttpResponse<String> slow = send(req("/tandem/role?since=" + v2 + "&waitMs=6000").GET().build());
    assertThat(slow.statusCode()).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)).isGreaterThanOrEqualTo(6000);
  }
}
