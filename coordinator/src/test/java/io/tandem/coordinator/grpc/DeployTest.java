package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.agent.AgentServiceGrpc;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.DeployResponse;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.GroupUpdate;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.WatchGroupRequest;
import io.tandem.proto.state.EditorDataKind;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deploys through the agent API on a real three-node cluster, with fake agents. */
class DeployTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  /** A lease far longer than any wait: only a fenced report moves the assignment. */
  private static final LeaseSettings SLOW_LEASE = new LeaseSettings(
      Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(20));
  private static final String CREDS = "{\"$\":\"0123abcd\"}";

  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.builder().size(3).lease(SLOW_LEASE).start();
    cluster.waitForLeader(LONG);
    client = new TestClient(cluster.grpcAddresses(), Duration.ofSeconds(30), 20_000);
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

  /**
   * A deploy with its own request id, as the agent sends it: the test client retries a call that
   * ran out of its deadline (a 16 MB deploy can, on a loaded machine), and without an id the retry
   * would be a second deploy that conflicts with the first one's revision.
   */
  static DeployRequest deploy(String group, FakeAgent from, long token, long expected, String flows) {
    return DeployRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setGroup(group).setInstance(from.instance()).setToken(token)
        .setExpectedRevision(expected).setFlows(ByteString.copyFromUtf8(flows))
        .setCredentials(ByteString.copyFromUtf8(CREDS)).setDeployedBy("admin")
        .addModules("node-red@4.1.8").setCredentialKeyDigest("key-1").build();
  }

  private static DeployResponse send(DeployRequest r) {
    return client.agent(s -> s.deploy(r));
  }

  private static StatusRuntimeException refusal(DeployRequest r) {
    long before = client.group(r.getGroup()).getCurrentRevision();
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> send(r));
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    assertThat(client.group(r.getGroup()).getCurrentRevision()).as("a refusal changes nothing").isEqualTo(before);
    return (StatusRuntimeException) t;
  }

  /** Waits until one of the two runs; returns {active, standby}. */
  private static FakeAgent[] activeFirst(String group, FakeAgent a, FakeAgent b) {
    Waits.until("one of them running", LONG, () -> a.runningToken() > 0 || b.runningToken() > 0);
    return a.runningToken() > 0 ? new FakeAgent[] {a, b} : new FakeAgent[] {b, a};
  }

  @Test
  void deployIsCompareAndSetOnTokenAndRevisionAndReachesTheStandby() throws Exception {
    client.createGroup("cas", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "cas", "a").modules("node-red@4.1.8").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "cas", "b").modules("node-red@4.1.8").start(100)) {
      FakeAgent[] ab = activeFirst("cas", a, b);
      FakeAgent active = ab[0];
      FakeAgent standby = ab[1];
      long token = active.runningToken();

      DeployResponse first = send(deploy("cas", active, token, 0, "[{\"id\":\"n1\",\"type\":\"tab\"}]"));
      assertThat(first.getRevision()).isPositive();
      assertThat(first.getDigest()).startsWith("sha256:").hasSize(7 + 64);
      assertThat(client.group("cas").getCurrentRevision()).isEqualTo(first.getRevision());

      // A second editor that still sees revision 0 loses, and is told why.
      StatusRuntimeException conflict = refusal(deploy("cas", active, token, 0, "[]"));
      assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      assertThat(conflict.getStatus().getDescription())
          .startsWith("revision conflict: you deployed on top of revision 0 but the current revision is "
              + first.getRevision() + " (deployed by " + active.instance() + "/admin at ")
          .endsWith("); reload the editor and deploy again");

      // The standby cannot deploy, under any token.
      for (long t : new long[] {0, token}) {
        StatusRuntimeException s = refusal(deploy("cas", standby, t, first.getRevision(), "[]"));
        assertThat(s.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.getStatus().getDescription()).isEqualTo(
            "this instance (" + standby.instance() + ") is the standby; the active is " + active.instance());
      }
      // The active under an older token than it holds (a stale runtime) is refused too.
      StatusRuntimeException stale = refusal(deploy("cas", active, token - 1, first.getRevision(), "[]"));
      assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      assertThat(stale.getStatus().getDescription()).startsWith("stale token: ");

      // The standby follows: the assignment carries the new revision.
      Waits.until("standby loaded the revision", LONG, () -> standby.loadedRevision() == first.getRevision());
      Waits.until("standby ready on it", LONG, () -> client.group("cas").getStandbysReady() == 1);
      GroupView view = client.group("cas");
      InstanceView sv = view.getInstancesList().stream()
          .filter(i -> i.getId().equals(standby.instance())).findFirst().orElseThrow();
      assertThat(sv.getLoadedRevision()).isEqualTo(first.getRevision());
      assertThat(sv.getNotReadyReason()).isEmpty();

      // Both revisions can be read back; an unknown one is NOT_FOUND.
      DeployResponse second = send(deploy("cas", active, token, first.getRevision(), "[{\"id\":\"n2\"}]"));
      GroupDataResponse now = client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
          .setGroup("cas").setInstance(standby.instance()).build()));
      assertThat(now.getCurrentRevision()).isEqualTo(second.getRevision());
      assertThat(now.getRevision().getFlows().toStringUtf8()).isEqualTo("[{\"id\":\"n2\"}]");
      assertThat(now.getRevision().getCredentials().toStringUtf8()).isEqualTo(CREDS);
      assertThat(now.getRevision().getDigest()).isEqualTo(second.getDigest());
      GroupDataResponse old = client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
          .setGroup("cas").setInstance(standby.instance()).setRevision(first.getRevision()).build()));
      assertThat(old.getRevision().getFlows().toStringUtf8()).isEqualTo("[{\"id\":\"n1\",\"type\":\"tab\"}]");
      assertThatThrownBy(() -> client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
          .setGroup("cas").setInstance("a").setRevision(1).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).contains("revision 1 of group \"cas\" is not kept");
          });
    }
  }

  @Test
  void aDeployIsPushedToWatchersAtOnce() throws Exception {
    client.createGroup("push", "a", "b");
    int leader = cluster.waitForLeader(LONG);
    ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.grpcAddress(leader)).usePlaintext()
        .maxInboundMessageSize(CoordinatorEndpoints.MAX_MESSAGE_BYTES).build();
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "push", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "push", "b").start(100)) {
      FakeAgent active = activeFirst("push", a, b)[0];
      Iterator<GroupUpdate> updates = AgentServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
          .watchGroup(WatchGroupRequest.newBuilder().setGroup("push").setInstance("b").build());
      assertThat(updates.next().getAssignment().getFlowsRevision()).isZero();
      long rev = send(deploy("push", active, active.runningToken(), 0, "[]")).getRevision();
      GroupUpdate u = updates.next();
      assertThat(u.getAssignment().getFlowsRevision()).isEqualTo(rev);
      assertThat(u.getCommitIndex()).isGreaterThanOrEqualTo(rev);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void badInputIsRefusedBeforeTheLogAndSixteenMegabytesAreAccepted() throws Exception {
    client.createGroup("size", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "size", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "size", "b").start(100)) {
      FakeAgent active = activeFirst("size", a, b)[0];
      long token = active.runningToken();
      String[][] bad = {
        {"[{\"id\":", "flows is not valid JSON"},
        {"{\"id\":1}", "flows must be a JSON array of nodes; it starts with an object"},
        {"", "flows must be a JSON array of nodes; it is empty"},
        {"[] []", "flows has more after its JSON value"},
      };
      for (String[] c : bad) {
        StatusRuntimeException e = refusal(deploy("size", active, token, 0, c[0]));
        assertThat(e.getStatus().getCode()).as(c[0]).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).as(c[0]).startsWith(c[1]);
      }
      DeployRequest badCreds = deploy("size", active, token, 0, "[]").toBuilder()
          .setCredentials(ByteString.copyFromUtf8("[1]")).build();
      assertThat(refusal(badCreds).getStatus().getDescription())
          .isEqualTo("credentials must be a JSON object (or empty); it starts with an array");

      // 16 MB of flows and credentials together: accepted, and read back intact.
      int limit = FlowsRequests.MAX_FLOWS_BYTES;
      String big = bigFlows(limit - CREDS.length());
      long t0 = System.nanoTime();
      DeployResponse ok = send(deploy("size", active, token, 0, big));
      System.out.printf("16 MB deploy committed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      GroupDataResponse back = client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
          .setGroup("size").setInstance("b").build()));
      assertThat(back.getRevision().getSizeBytes()).isEqualTo(limit);
      assertThat(back.getRevision().getFlows().toStringUtf8()).isEqualTo(big);

      // 17 MB: refused with the size and the limit; nothing changed.
      StatusRuntimeException tooBig = refusal(deploy("size", active, token, ok.getRevision(),
          bigFlows(17 * 1024 * 1024 - CREDS.length())));
      assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(tooBig.getStatus().getDescription()).contains("are 17.0 MB together; the limit is 16.0 MB (16777216 bytes)");
      cluster.awaitCaughtUp(LONG);
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(cluster.server(i).raft().stateMachine().state().getGroupDataOrThrow("size").getRevisions(0)
            .getSizeBytes()).as("peer %d holds the 16 MB revision", i).isEqualTo(limit);
      }
    }
  }

  @Test
  void settingsAreFencedSessionsAreNot() throws Exception {
    client.createGroup("editor", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "editor", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "editor", "b").start(100)) {
      FakeAgent[] ab = activeFirst("editor", a, b);
      long token = ab[0].runningToken();
      client.agent(s -> s.putEditorData(PutEditorDataRequest.newBuilder().setGroup("editor")
          .setInstance(ab[0].instance()).setToken(token).setKind(EditorDataKind.SETTINGS)
          .setValue(ByteString.copyFromUtf8("{\"editor\":1}")).build()));
      assertThatThrownBy(() -> client.agent(s -> s.putEditorData(PutEditorDataRequest.newBuilder()
          .setGroup("editor").setInstance(ab[1].instance()).setToken(0).setKind(EditorDataKind.LIBRARY)
          .setKey("flows\u0000x.json").setValue(ByteString.copyFromUtf8("[]")).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
              .isEqualTo("this instance (" + ab[1].instance() + ") is the standby; the active is " + ab[0].instance()));
      client.agent(s -> s.putEditorData(PutEditorDataRequest.newBuilder().setGroup("editor")
          .setInstance(ab[1].instance()).setKind(EditorDataKind.SESSIONS)
          .setValue(ByteString.copyFromUtf8("{\"t\":{}}")).build()));
      GroupDataResponse d = client.agent(s -> s.getGroupData(GetGroupDataRequest.newBuilder()
          .setGroup("editor").setInstance("a").build()));
      assertThat(d.hasRevision()).isFalse();
      assertThat(d.getSettings().toStringUtf8()).isEqualTo("{\"editor\":1}");
      assertThat(d.getSessions().toStringUtf8()).isEqualTo("{\"t\":{}}");
      assertThat(d.getLibraryMap()).isEmpty();
    }
  }

  private static String notReadyReason(String group, String instance) {
    return client.group(group).getInstancesList().stream().filter(i -> i.getId().equals(instance))
        .findFirst().orElseThrow().getNotReadyReason();
  }

  @Test
  void onlyAStandbyOnTheCurrentRevisionWithItsModulesAndKeyTakesOver() throws Exception {
    client.createGroup("ready", "a", "b");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "ready", "a").start(100)) {
      Waits.until("a running", LONG, () -> a.runningToken() > 0);
      long rev = send(deploy("ready", a, a.runningToken(), 0, "[]").toBuilder()
          .addModules("node-red-contrib-modbus@5.40.0").build()).getRevision();
      try (FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "ready", "b").followRevisions(false)
          .loadedRevision(rev - 1).modules("node-red@4.1.8").credentialKeyDigest("key-1").start(100)) {
        Waits.until("b reported", LONG, () -> notReadyReason("ready", "b").contains("has loaded"));
        assertThat(notReadyReason("ready", "b")).isEqualTo("standby b has loaded revision " + (rev - 1)
            + ", current is " + rev);
        b.loadedRevision(rev);
        Waits.until("b on the revision", LONG, () -> notReadyReason("ready", "b").contains("lacks"));
        assertThat(notReadyReason("ready", "b")).isEqualTo("standby b lacks node module node-red-contrib-modbus@5.40.0");
        b.modules("node-red@4.1.8", "node-red-contrib-modbus@5.40.0").credentialKeyDigest("key-2");
        Waits.until("b with the modules", LONG, () -> notReadyReason("ready", "b").contains("credentialSecret"));
        assertThat(client.group("ready").getStandbysReady()).isZero();

        // The active crashes while b is not ready: b is not activated, the group is left without one.
        a.crash();
        Waits.until("a deactivated", LONG, () -> client.group("ready").getActive().isEmpty());
        assertThat(b.runningToken()).isZero();
        String reason = client.admin(s -> s.history(io.tandem.proto.admin.HistoryRequest.newBuilder()
            .setGroup("ready").setLimit(1).build())).getTransitions(0).getReason();
        assertThat(reason).contains("no ready standby (b: standby b uses another credentialSecret");
        // Same key: b is ready and takes over, on the revision it loaded.
        b.credentialKeyDigest("key-1");
        Waits.until("b active", LONG, () -> b.runningToken() > 0);
        GroupView g = client.group("ready");
        assertThat(g.getActive()).isEqualTo("b");
        assertThat(g.getCurrentRevision()).isEqualTo(rev);
      }
    }
  }

  /** A flows array of exactly {@code bytes} bytes: one tab node and one long string. */
  static String bigFlows(int bytes) {
    String head = "[{\"id\":\"t1\",\"type\":\"tab\",\"info\":\"";
    String tail = "\"}]";
    return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
  }
}
