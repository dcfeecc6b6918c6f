package io.tandem.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.GetContextRequest;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.WatchGroupRequest;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.ContextSnapshot;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The context store through real gRPC on an in-process three-node Ratis cluster: the active's
 * writes commit and read back from the leader, a stale token writes nothing, watchers get every
 * change in order, and concurrent increments sum exactly.
 */
class ContextReplicationTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.builder().longLeases().start();
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses());
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static ContextOp set(String scope, String key, String json) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.SET).setScope(scope).setKey(key)
        .setValue(ByteString.copyFromUtf8(json)).build();
  }

  static ContextOp increment(String scope, String key, double delta) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.INCREMENT).setScope(scope).setKey(key).setDelta(delta).build();
  }

  static WriteContextRequest write(String group, String instance, long token, ContextOp... ops) {
    return WriteContextRequest.newBuilder().setGroup(group).setInstance(instance).setToken(token)
        .addAllOps(List.of(ops)).setRequestId(UUID.randomUUID().toString()).build();
  }

  static WriteContextResponse send(TestClient c, WriteContextRequest req) {
    return c.agent(s -> s.writeContext(req));
  }

  static ContextSnapshot read(TestClient c, String group, String instance) {
    return c.agent(s -> s.getContext(GetContextRequest.newBuilder().setGroup(group).setInstance(instance).build()));
  }

  static String value(ContextSnapshot s, String scope, String key) {
    var sc = s.getScopesMap().get(scope);
    return sc == null || !sc.getValuesMap().containsKey(key) ? null : sc.getValuesMap().get(key).toStringUtf8();
  }

  private static StatusRuntimeException refusal(WriteContextRequest req) {
    try {
      send(client, req);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the write was not refused: " + req);
  }

  @Test
  void theActivesWritesCommitAndReadBackFromTheLeader() throws Exception {
    client.createGroup("rw", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "rw", "a", 0);
    WriteContextResponse r = send(client, write("rw", "a", token,
        set("global", "greeting", "\"hello\""), set("flow:f1", "list", "[1,2,3]"), increment("global", "n", 41),
        increment("global", "n", 1), increment("global", "greeting", 1)));
    assertThat(r.getVersion()).isGreaterThan(token);
    assertThat(r.getResultsList()).extracting(ContextOpResult::getOutcome)
        .containsExactly(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.INVALID);
    assertThat(r.getResults(3).getValue().toStringUtf8()).isEqualTo("42");
    assertThat(r.getResults(4).getMessage()).isEqualTo("context value global/greeting is a string, not a number: increment refused");

    ContextSnapshot s = read(client, "rw", "b");
    assertThat(s.getVersion()).isEqualTo(r.getVersion());
    assertThat(value(s, "global", "greeting")).isEqualTo("\"hello\"");
    assertThat(value(s, "global", "n")).isEqualTo("42");
    assertThat(value(s, "flow:f1", "list")).isEqualTo("[1,2,3]");
    assertThat(s.getBytes()).isEqualTo("greeting".length() + 7 + "list".length() + 7 + 1 + 2);
    assertThat(s.getMaxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(s.getMaxGroupBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(client.agent(x -> x.heartbeat(io.tandem.proto.agent.HeartbeatRequest.newBuilder().setGroup("rw")
        .setInstance("b").setRuntime(io.tandem.proto.agent.RuntimeState.RUNTIME_STANDBY).build()))
        .getAssignment().getContextVersion()).as("heartbeat replies carry the version").isEqualTo(r.getVersion());

    StatusRuntimeException outsider = assertThrows(() -> read(client, "rw", "zed"));
    assertThat(outsider.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(outsider.getStatus().getDescription()).isEqualTo("instance \"zed\" is not a member of group \"rw\"");
  }

  @Test
  void aStaleTokenOrAStandbyWritesNothing() throws Exception {
    client.createGroup("stale", "a", "b");
    long first = ClusterFixtures.activateOk(cluster.leader(), "stale", "a", 0);
    long v1 = send(client, write("stale", "a", first, set("global", "k", "1"))).getVersion();
    long second = ClusterFixtures.activateOk(cluster.leader(), "stale", "b", first);

    StatusRuntimeException old = refusal(write("stale", "a", first, set("global", "k", "2"), increment("global", "n", 1)));
    assertThat(old.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(old.getStatus().getDescription()).isEqualTo("context write refused: this instance (a) is not the"
        + " active; the active is b under token " + second + "; nothing was written");
    StatusRuntimeException wrongToken = refusal(write("stale", "b", first, set("global", "k", "3")));
    assertThat(wrongToken.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(wrongToken.getStatus().getDescription()).contains("this instance (b) sent token " + first
        + " but it is active under token " + second);

    ContextSnapshot s = read(client, "stale", "a");
    assertThat(s.getVersion()).isEqualTo(v1);
    assertThat(value(s, "global", "k")).isEqualTo("1");
    assertThat(value(s, "global", "n")).isNull();
    cluster.awaitCaughtUp(LONG);
    for (int p = 0; p < cluster.size(); p++) {
      assertThat(cluster.server(p).raft().stateMachine().state().getGroupsOrThrow("stale").getContextVersion())
          .as("peer %d", p).isEqualTo(v1);
    }
  }

  @Test
  void malformedOpsAreRefusedBeforeTheLog() throws Exception {
    client.createGroup("bad", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "bad", "a", 0);
    Object[][] cases = {
      {set("flows:x", "k", "1"), "ops[0]: scope \"flows:x\" is not global, flow:ID or node:ID"},
      {set("", "k", "1"), "ops[0]: scope is missing (use global, flow:ID or node:ID)"},
      {set("flow:", "k", "1"), "ops[0]: scope \"flow:\" names no id (use flow:ID or node:ID)"},
      {set("global", "", "1"), "ops[0]: SET in scope global has an empty key"},
      {ContextOp.newBuilder().setScope("global").setKey("k").build(), "ops[0]: op kind is missing or unknown"},
      {ContextOp.newBuilder().setKindValue(99).setScope("global").setKey("k").build(), "ops[0]: op kind is missing or unknown"},
      {set("global", "k", "{\"a\":"), "ops[0] (SET global/k): the value is not valid JSON"},
      {set("global", "k", "1 2"), "ops[0] (SET global/k): the value has more after its JSON value"},
      {increment("global", "k", Double.POSITIVE_INFINITY), "ops[0]: INCREMENT of global/k has a delta that is not a finite number"},
    };
    for (Object[] c : cases) {
      StatusRuntimeException e = refusal(write("bad", "a", token, (ContextOp) c[0]));
      assertThat(e.getStatus().getCode()).as((String) c[1]).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).startsWith((String) c[1]);
    }
    ContextOp big = set("global", "big", "\"" + "x".repeat(4 * 1024 * 1024) + "\"");
    StatusRuntimeException tooLarge = refusal(write("bad", "a", token, big, big, big, big, big));
    assertThat(tooLarge.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(tooLarge.getStatus().getDescription()).startsWith("the context write is 20 MB (5 ops), over the limit"
        + " of 16 MB for one WriteContext");
    assertThat(read(client, "bad", "a").getVersion()).as("nothing reached the log").isZero();
    // a value over the group's limits fails alone, in the state machine
    WriteContextResponse r = send(client, write("bad", "a", token, set("global", "ok", "1"),
        set("global", "big", "\"" + "x".repeat(1024 * 1024) + "\"")));
    assertThat(r.getResultsList()).extracting(ContextOpResult::getOutcome).containsExactly(Outcome.OK, Outcome.INVALID);
    assertThat(r.getResults(1).getMessage()).isEqualTo("context value global/big is 1 MB (1048581 bytes), over the"
        + " limit of 1 MB (1048576 bytes) (context.maxValueBytes)");
  }

  @Test
  void watchersGetEveryChangeInOrderWithAChainOfVersions() throws Exception {
    client.createGroup("watch", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "watch", "a", 0);
    long v0 = send(client, write("watch", "a", token, set("global", "before", "0"))).getVersion();
    int leader = cluster.waitForLeader(LONG);
    ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(leader)).usePlaintext()
        .maxInboundMessageSize(CoordinatorEndpoints.MAX_MESSAGE_BYTES).build();
    try {
      Iterator<GroupUpdate> updates = AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
          .watchGroup(WatchGroupRequest.newBuilder().setGroup("watch").setInstance("b").build());
      GroupUpdate first = updates.next();
      assertThat(first.getAssignment().getContextVersion()).isEqualTo(v0);
      assertThat(first.hasContextChange()).isFalse();
      List<Long> versions = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        versions.add(send(client, write("watch", "a", token, set("global", "k", String.valueOf(i)),
            increment("global", "n", i), increment("global", "k", 0.5),
            ContextOp.newBuilder().setKind(ContextOp.Kind.DELETE).setScope("global").setKey("before").build()))
            .getVersion());
      }
      // a refused write is not pushed
      ClusterFixtures.activateOk(cluster.leader(), "watch", "b", token);
      assertThatThrownBy(() -> send(client, write("watch", "a", token, set("global", "k", "99"))))
          .isInstanceOf(StatusRuntimeException.class);
      long from = v0;
      long sum = 0;
      List<GroupUpdate> changes = new ArrayList<>();
      while (changes.size() < 5) {
        GroupUpdate u = updates.next();
        if (u.hasContextChange()) {
          changes.add(u);
        }
      }
      for (int i = 0; i < 5; i++) {
        GroupUpdate u = changes.get(i);
        var c = u.getContextChange();
        sum += i + 1;
        assertThat(c.getFromVersion()).as("change %d", i).isEqualTo(from);
        assertThat(c.getVersion()).isEqualTo(versions.get(i));
        assertThat(u.getCommitIndex()).isEqualTo(c.getVersion());
        assertThat(u.getAssignment().getContextVersion()).isEqualTo(c.getVersion());
        assertThat(c.getEffectsList()).extracting(ContextOp::getKind).containsExactly(ContextOp.Kind.SET,
            ContextOp.Kind.SET, ContextOp.Kind.SET, ContextOp.Kind.DELETE);
        assertThat(c.getEffects(1).getValue().toStringUtf8()).as("increment as its result").isEqualTo(String.valueOf(sum));
        assertThat(c.getEffects(2).getValue().toStringUtf8()).isEqualTo((i + 1) + ".5");
        from = c.getVersion();
      }
      // the next update is the activation of b, not a change for the refused write
      GroupUpdate after = updates.next();
      assertThat(after.hasContextChange()).isFalse();
      assertThat(after.getAssignment().getActive()).isEqualTo("b");
      assertThat(after.getAssignment().getContextVersion()).isEqualTo(versions.get(4));
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void concurrentIncrementsFromThreeClientsSumExactly() throws Exception {
    client.createGroup("sum", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "sum", "a", 0);
    int clients = 3;
    int each = 200;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    Set<String> results = ConcurrentHashMap.newKeySet();
    long t0 = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(pool.submit(() -> {
          try (TestClient own = new TestClient(cluster.grpcAddresses())) {
            for (int i = 0; i < each; i++) {
              WriteContextResponse r = send(own, write("sum", "a", token, increment("global", "count", 1)));
              assertThat(r.getResults(0).getOutcome()).isEqualTo(Outcome.OK);
              results.add(r.getResults(0).getValue().toStringUtf8());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(300, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.printf("%d WriteContext calls of one increment from %d clients: %d ms (%.0f/s)%n",
        clients * each, clients, ms, clients * each * 1000.0 / Math.max(1, ms));
    assertThat(value(read(client, "sum", "b"), "global", "count")).isEqualTo(String.valueOf(clients * each));
    assertThat(results).as("every increment saw its own committed value")
        .isEqualTo(LongStream.rangeClosed(1, clients * each).mapToObj(Long::toString).collect(Collectors.toSet()));
  }

  @Test
  void batchesOfFiveHundredSetsCommitWhole() throws Exception {
    client.createGroup("batch", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "batch", "a", 0);
    int batches = 20;
    int ops = 500;
    long t0 = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      WriteContextRequest.Builder req = write("batch", "a", token).toBuilder();
      for (int i = 0; i < ops; i++) {
        req.addOps(set("flow:f" + (i % 5), "k" + i, "{\"batch\":" + b + ",\"i\":" + i + "}"));
      }
      assertThat(send(client, req.build()).getResultsCount()).isEqualTo(ops);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.printf("%d WriteContext calls of %d sets, one after the other: %d ms (%.0f sets/s)%n",
        batches, ops, ms, batches * ops * 1000.0 / Math.max(1, ms));
    ContextSnapshot s = read(client, "batch", "b");
    assertThat(s.getScopesMap()).hasSize(5);
    assertThat(value(s, "flow:f2", "k7")).isEqualTo("{\"batch\":" + (batches - 1) + ",\"i\":7}");
    assertThat(s.getScopesMap().values().stream().mapToInt(x -> x.getValuesCount()).sum()).isEqualTo(ops);
  }

  @Test
  void aRetriedRequestIdReturnsTheFirstResultAndIncrementsOnce() throws Exception {
    client.createGroup("retry", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "retry", "a", 0);
    WriteContextRequest req = write("retry", "a", token, increment("global", "n", 5));
    WriteContextResponse first = send(client, req);
    WriteContextResponse again = send(client, req);
    assertThat(again).isEqualTo(first);
    assertThat(value(read(client, "retry", "a"), "global", "n")).isEqualTo("5");
    assertThat(send(client, write("retry", "a", token, increment("global", "n", 5))).getResults(0).getValue()
        .toStringUtf8()).as("a new id applies").isEqualTo("10");
    // the answer was lost, then the failover committed: the retry still gets what was committed
    ClusterFixtures.activateOk(cluster.leader(), "retry", "b", token);
    assertThat(send(client, req)).isEqualTo(first);
    assertThat(refusal(write("retry", "a", token, increment("global", "n", 5))).getStatus().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void theLeaderCountsWritesAndOpsAndShowsEachGroupsBytes() throws Exception {
    client.createGroup("metered", "a", "b");
    long token = ClusterFixtures.activateOk(cluster.leader(), "metered", "a", 0);
    var metrics = cluster.leader().metrics();
    double applied = metrics.contextWrites("applied");
    double refused = metrics.contextWrites("refused");
    send(client, write("metered", "a", token, set("global", "k", "\"v\""), increment("global", "k", 1)));
    refusal(write("metered", "b", token, set("global", "k", "1")));
    assertThat(metrics.contextWrites("applied")).isEqualTo(applied + 1);
    assertThat(metrics.contextWrites("refused")).isEqualTo(refused + 1);
    String text = metrics.scrape();
    assertThat(text).contains("tandem_context_bytes{group=\"metered\"} 4.0");
    assertThat(text).containsPattern("tandem_context_ops_total\\{outcome=\"ok\"\\} [1-9]");
    assertThat(text).containsPattern("tandem_context_ops_total\\{outcome=\"invalid\"\\} [1-9]");
  }

  private static StatusRuntimeException assertThrows(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("no error");
  }
}
