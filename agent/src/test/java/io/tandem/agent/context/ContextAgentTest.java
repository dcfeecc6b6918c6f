package io.tandem.agent.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.agent.config.ContextSettings;
import io.tandem.agent.http.HttpCall;
import io.tandem.agent.http.HttpReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's context store against an in-memory coordinator, through its HTTP handler exactly as
 * the plugin calls it: the writer handshake, batching, sync writes, corrections, refusal, drain.
 */
class ContextAgentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "agent-secret";
  private final FakeCoordinator coordinator = new FakeCoordinator();
  private ContextAgent agent;

  private ContextAgent start(Duration flushInterval, int maxBatchOps) {
    agent = new ContextAgent("g", "a", new ContextSettings(true, false, flushInterval, maxBatchOps),
        false, ContextMetrics.detached(), TOKEN, coordinator::snapshot, coordinator::write);
    coordinator.push = agent::onGroupUpdate;
    agent.start(null);
    return agent;
  }

  @AfterEach
  void close() {
    if (agent != null) {
      agent.close();
    }
  }

  private JsonNode call(String method, String pathAndQuery, String body, int expectStatus) throws Exception {
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    String query = pathAndQuery.contains("?") ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1) : "";
    HttpCall c = new HttpCall(method, path, query, Map.of("x-tandem-token", List.of(TOKEN)),
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    HttpReply r = new ContextEndpoints(agent, new io.tandem.agent.http.AgentTokenCheck(TOKEN)).handle(c);
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.status()).as(text).isEqualTo(expectStatus);
    return JSON.readTree(text);
  }

  private JsonNode poll(long since, int writer, int waitMs) throws Exception {
    return call("GET", "/tandem/context/changes?since=" + since + "&writer=" + writer + "&waitMs=" + waitMs,
        null, 200);
  }

  /** A replica's poll (writer=0) on another thread. */
  private CompletableFuture<JsonNode> pollLater(long since, int waitMs) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return poll(since, 0, waitMs);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static String set(String key, String json) {
    return "{\"op\":\"set\",\"scope\":\"global\",\"key\":\"" + key + "\",\"value\":" + json + "}";
  }

  /** Prepares token 7 and proves it as the plugin does; returns the version the plugin holds. */
  private long becomeWriter() throws Exception {
    agent.prepare(7, 3);
    // as the plugin: a full resync first, then polls until the agent offers the writer role
    JsonNode offer = poll(0, 0, 3000);
    for (int i = 0; i < 3 && !offer.path("writer").asBoolean(); i++) {
      offer = poll(offer.path("version").asLong(), 0, 3000);
    }
    assertThat(offer.path("writer").asBoolean()).as(offer.toString()).isTrue();
    long v = offer.path("version").asLong();
    assertThat(v).isGreaterThanOrEqualTo(3);
    assertThat(agent.gate().ready(7)).isFalse();
    poll(v, 1, 0);
    assertThat(agent.gate().ready(7)).isTrue();
    return v;
  }

  @Test
  void snapshotServesTheCommittedReplicaWithItsLimits() throws Exception {
    coordinator.context.put("global", new java.util.TreeMap<>(Map.of("n",
        com.google.protobuf.ByteString.copyFromUtf8("41.0"))));
    start(Duration.ofMillis(50), 5000);
    JsonNode s = call("GET", "/tandem/context/snapshot", null, 200);
    assertThat(s.path("version").asLong()).isEqualTo(3);
    assertThat(s.path("writer").asBoolean()).isFalse();
    assertThat(s.path("limits").path("maxValueBytes").asLong()).isEqualTo(10);
    assertThat(s.path("scopes").path("global").path("n").toString()).isEqualTo("41.0");
  }

  @Test
  void aResyncPollOnAStoreNeverWrittenWaitsInsteadOfAnsweringAtOnce() throws Exception {
    coordinator.version = 0; // a group whose context was never written
    start(Duration.ofMillis(50), 5000);
    long t0 = System.nanoTime();
    JsonNode r = poll(0, 0, 400);
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    // answered at once, the plugin polled since=0 again at once: a tight loop on every idle agent
    assertThat(waited).as(r.toString()).isGreaterThanOrEqualTo(350);
    assertThat(r.path("version").asLong()).isZero();
    assertThat(r.path("full").isObject()).as(r.toString()).isTrue(); // what a resync needs: empty
  }

  @Test
  void aResyncPollIsAnsweredAtOnceWhenTheStoreHasAVersion() throws Exception {
    start(Duration.ofMillis(50), 5000); // version 3
    long t0 = System.nanoTime();
    JsonNode r = poll(0, 0, 3000);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    assertThat(r.path("version").asLong()).isEqualTo(3);
  }

  @Test
  void flowsMayStartOnlyAfterThePluginPolledAsTheWriterAtTheRequiredVersion() throws Exception {
    start(Duration.ofMillis(50), 5000);
    agent.prepare(7, 3);
    assertThat(agent.gate().preparing(7)).isTrue();
    JsonNode offer = poll(0, 0, 3000);
    for (int i = 0; i < 3 && !offer.path("writer").asBoolean(); i++) {
      offer = poll(offer.path("version").asLong(), 0, 3000);
    }
    assertThat(offer.path("writer").asBoolean()).isTrue();
    // a writer=1 poll below the required version proves nothing
    poll(2, 1, 0);
    assertThat(agent.gate().ready(7)).isFalse();
    poll(offer.path("version").asLong(), 1, 0);
    assertThat(agent.gate().ready(7)).isTrue();
    assertThat(agent.gate().ready(8)).isFalse();
  }

  @Test
  void statusShowsTheRoleTheVersionPendingOpsAndTheLastFlushLatency() throws Exception {
    start(Duration.ofSeconds(10), 5000);
    ContextAgent.Status replica = agent.status();
    assertThat(replica.writer()).isFalse();
    assertThat(replica.writerToken()).isZero();
    assertThat(replica.lastFlushMillis()).isEqualTo(-1);
    becomeWriter();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "1") + "," + set("b", "2") + "]}", 202);
    ContextAgent.Status queued = agent.status(); // the 10 s window has not passed: both wait
    assertThat(queued.writer()).isTrue();
    assertThat(queued.writerToken()).isEqualTo(7);
    assertThat(queued.pendingOps()).isEqualTo(2);
    assertThat(agent.flusher().flushAndWait(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(3))).isTrue();
    ContextAgent.Status flushed = agent.status();
    assertThat(flushed.pendingOps()).isZero();
    assertThat(flushed.lastFlushMillis()).isGreaterThanOrEqualTo(0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (agent.status().version() <= queued.version() && System.nanoTime() < deadline) {
      Thread.sleep(5); // the commit's change reaches the replica through the pushed update
    }
    assertThat(agent.status().version()).isGreaterThan(queued.version());
  }

  @Test
  void aStandbyCannotWrite() throws Exception {
    start(Duration.ofMillis(50), 5000);
    JsonNode r = call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "1") + "],\"sync\":false}", 409);
    assertThat(r.path("code").asText()).isEqualTo("tandem_standby");
    assertThat(coordinator.batchCount()).isZero();
  }

  @Test
  void asyncWritesOfOneWindowAreOneWriteContext() throws Exception {
    start(Duration.ofMillis(300), 5000);
    becomeWriter();
    for (int i = 0; i < 5; i++) {
      JsonNode r = call("POST", "/tandem/context/write", "{\"ops\":[" + set("n", String.valueOf(i)) + "]}", 202);
      assertThat(r.path("accepted").asInt()).isEqualTo(1);
    }
    assertThat(agent.flusher().flushAndWait(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(3))).isTrue();
    assertThat(coordinator.batchCount()).isEqualTo(1);
    assertThat(coordinator.batches.get(0)).hasSize(5);
    assertThat(coordinator.value("global", "n").toStringUtf8()).isEqualTo("4");
  }

  @Test
  void aFullBatchIsCommittedWithoutWaitingForTheInterval() throws Exception {
    start(Duration.ofSeconds(10), 3);
    becomeWriter();
    long t0 = System.nanoTime();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "1") + "," + set("b", "2") + ","
        + set("c", "3") + "]}", 202);
    while (coordinator.batchCount() == 0 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5)) {
      Thread.sleep(5);
    }
    assertThat(coordinator.batchCount()).isEqualTo(1);
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void aSyncWriteKeepsTheOrderWithEarlierWritesAndAnswersAfterTheCommit() throws Exception {
    start(Duration.ofSeconds(10), 5000);
    becomeWriter();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("c", "40") + "]}", 202);
    JsonNode r = call("POST", "/tandem/context/write", "{\"sync\":true,\"ops\":["
        + "{\"op\":\"increment\",\"scope\":\"global\",\"key\":\"c\",\"delta\":2}]}", 200);
    assertThat(r.path("results").get(0).path("ok").asBoolean()).isTrue();
    assertThat(r.path("results").get(0).path("value").toString()).isEqualTo("42");
    assertThat(r.path("results")).hasSize(1);
    assertThat(r.path("version").asLong()).isEqualTo(5);
    assertThat(coordinator.batchCount()).isEqualTo(1);
  }

  @Test
  void aRefusedAsyncOpComesBackAsACorrectionWithTheCommittedValue() throws Exception {
    start(Duration.ofMillis(20), 5000);
    long v = becomeWriter();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("k", "1") + "]}", 202);
    agent.flusher().flushAndWait(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("k", "\"far too long a value\"") + "]}", 202);
    agent.flusher().flushAndWait(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
    JsonNode corrections = null;
    long since = v;
    for (int i = 0; i < 10 && (corrections == null || corrections.isEmpty()); i++) {
      JsonNode r = poll(since, 1, 1000);
      assertThat(r.path("writer").asBoolean()).isTrue();
      since = r.path("version").asLong();
      corrections = r.path("corrections");
    }
    assertThat(corrections).hasSize(1);
    assertThat(corrections.get(0).path("key").asText()).isEqualTo("k");
    assertThat(corrections.get(0).path("value").toString()).isEqualTo("1");
    assertThat(corrections.get(0).path("reason").asText()).contains("over the limit");
  }

  @Test
  void aStaleTokenDropsTheBatchAndEndsTheWriterRole() throws Exception {
    start(Duration.ofMillis(20), 5000);
    long v = becomeWriter();
    coordinator.token = 9; // a failover committed elsewhere
    JsonNode r = call("POST", "/tandem/context/write", "{\"sync\":true,\"ops\":[" + set("a", "1") + "]}", 409);
    assertThat(r.path("code").asText()).isEqualTo("tandem_fenced");
    assertThat(coordinator.batchCount()).isZero();
    assertThat(agent.gate().ready(7)).isFalse();
    assertThat(poll(v, 1, 0).path("writer").asBoolean()).isFalse();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "1") + "]}", 409);
  }

  @Test
  void aPlannedStopWaitsForThePluginsQueuedWritesAndTheirCommit() throws Exception {
    start(Duration.ofSeconds(5), 5000);
    long v = becomeWriter();
    CompletableFuture<String> drained = CompletableFuture.supplyAsync(
        () -> agent.drain(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(4)));
    JsonNode told = poll(v, 1, 3000);
    assertThat(told.path("writer").asBoolean()).isFalse();
    assertThat(drained).isNotDone();
    // the plugin delivers its queue, then polls as a non-writer
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("last", "99") + "]}", 202);
    poll(0, 0, 0);
    assertThat(drained.get(4, TimeUnit.SECONDS)).isEmpty();
    assertThat(coordinator.value("global", "last").toStringUtf8()).isEqualTo("99");
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("x", "1") + "]}", 409);
  }

  @Test
  void aLostLeaseDropsWhatIsQueued() throws Exception {
    start(Duration.ofSeconds(5), 5000);
    becomeWriter();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "1") + "]}", 202);
    agent.drop(7, "lease lost");
    // a write that read the role just before the drop is not taken either
    assertThat(agent.flusher().enqueue(7, List.of(ContextReplicaTest.set("global", "late", "1")))).isFalse();
    Thread.sleep(100);
    assertThat(coordinator.batchCount()).isZero();
    assertThat(agent.flusher().pendingOps()).isZero();
  }

  @Test
  void aCrashCommitsWhatTheAgentHoldsBeforeTheReport() throws Exception {
    start(Duration.ofSeconds(5), 5000);
    becomeWriter();
    call("POST", "/tandem/context/write", "{\"ops\":[" + set("a", "5") + "]}", 202);
    assertThat(agent.commitPending(7, System.nanoTime() + TimeUnit.SECONDS.toNanos(3))).isEmpty();
    assertThat(coordinator.value("global", "a").toStringUtf8()).isEqualTo("5");
    assertThat(agent.gate().ready(7)).isFalse();
  }

  @Test
  void withoutAPluginThePreparationFailsInBoundedTimeAndSaysWhy() throws Exception {
    start(Duration.ofMillis(50), 5000);
    long t0 = System.nanoTime();
    agent.prepare(7, 3);
    while (!agent.gate().failed(7) && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(6)) {
      Thread.sleep(20);
    }
    assertThat(agent.gate().failed(7)).isTrue();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(ContextAgent.PROOF_TIMEOUT.toNanos());
    assertThat(agent.gate().detail()).contains("did not confirm the writer role within 2000 ms")
        .contains("has not loaded the tandem context store");
    assertThat(agent.notReadyDetail()).contains("context store");
  }

  @Test
  void aStandbyPluginFollowsCommittedChangesWithOps() throws Exception {
    start(Duration.ofMillis(50), 5000);
    JsonNode first = poll(0, 0, 3000);
    long v = first.path("version").asLong();
    CompletableFuture<JsonNode> waiting = pollLater(v, 4000);
    Thread.sleep(100);
    assertThat(waiting).isNotDone();
    coordinator.token = 7;
    coordinator.write(7, List.of(ContextReplicaTest.set("global", "n", "12")), "r1");
    JsonNode r = waiting.get(3, TimeUnit.SECONDS);
    assertThat(r.path("version").asLong()).isEqualTo(v + 2);
    assertThat(r.path("ops")).hasSize(1);
    assertThat(r.path("ops").get(0).path("value").toString()).isEqualTo("12");
    assertThat(r.path("writer").asBoolean()).isFalse();
  }

  @Test
  void aWaitingPollIsAnsweredWhenTheAgentStops() throws Exception {
    start(Duration.ofMillis(50), 100);
    JsonNode first = poll(0, 0, 3000); // answered once the replica holds the committed context
    long version = first.path("version").asLong();
    CompletableFuture<JsonNode> waiting = pollLater(version, 10_000);
    Thread.sleep(200);
    assertThat(waiting).as("the poll waits while nothing changes").isNotDone();
    long closedAt = System.nanoTime();
    agent.close();
    // before: the poll held its HTTP server thread for its whole wait (up to 4 s), and the agent's
    // stop waited for that thread (2.5 s of a 2.6 s stop)
    JsonNode answer = waiting.get(5, TimeUnit.SECONDS);
    long answeredMs = (System.nanoTime() - closedAt) / 1_000_000;
    assertThat(answeredMs).as("the waiting poll is answered by the stop, not by the end of its wait")
        .isLessThan(1500);
    assertThat(answer.path("writer").asBoolean()).isFalse();
    JsonNode later = pollLater(version, 10_000).get(5, TimeUnit.SECONDS);
    assertThat(later.path("version").asLong()).as("a later poll is answered at once").isEqualTo(version);
  }
}
