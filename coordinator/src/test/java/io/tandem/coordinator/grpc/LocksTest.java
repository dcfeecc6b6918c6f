package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.LockView;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.HeartbeatResponse;
import io.tandem.proto.agent.ReleaseLockRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Lock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Locks of an all-active group through real Ratis and gRPC: two simulated agents heartbeat
 * wanting the same key; one holds it; when the holder stops heartbeating the other gets it under
 * a higher token once the holder's lease ran out, and the returning first does not steal it back.
 */
class LocksTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final LeaseSettings LEASE = new LeaseSettings(
      Duration.ofMillis(2000), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(20));

  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.builder().size(3).lease(LEASE).start();
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

  private static void createAllActive(String group, String... ids) {
    CreateGroupRequest.Builder b = CreateGroupRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setGroup(group).setMode(GroupMode.ALL_ACTIVE);
    for (String id : ids) {
      b.addInstances(InstanceSpec.newBuilder().setId(id).setHost("127.0.0.1"));
    }
    client.admin(s -> s.createGroup(b.build()));
  }

  private static HeartbeatResponse beat(String group, String id, String... wanted) {
    HeartbeatRequest r = HeartbeatRequest.newBuilder().setGroup(group).setInstance(id)
        .setRuntime(RuntimeState.RUNTIME_RUNNING).addAllWantedLocks(java.util.List.of(wanted))
        .setEditorUrl("http://127.0.0.1:1880/" + id).build();
    return client.agent(s -> s.heartbeat(r));
  }

  private static Optional<Lock> lock(HeartbeatResponse r, String key) {
    return r.getAssignment().getLocksList().stream().filter(l -> l.getKey().equals(key)).findFirst();
  }

  @Test
  void theLockMovesOnlyWhenTheHoldersLeaseRanOutAndIsNotStolenBack() {
    createAllActive("aa", "a", "b");
    HeartbeatResponse[] last = new HeartbeatResponse[2];
    long[] sent = new long[2]; // when each last heartbeat was sent: its lease began no earlier
    Waits.until("one of them holds the key", LONG, () -> {
      sent[0] = System.nanoTime();
      last[0] = beat("aa", "a", "poll");
      sent[1] = System.nanoTime();
      last[1] = beat("aa", "b", "poll");
      Waits.sleep(150);
      return lock(last[1], "poll").map(l -> !l.getHolder().isEmpty()).orElse(false);
    });
    assertThat(last[0].getLeaseMillis()).isEqualTo(2000);
    assertThat(last[1].getLeaseMillis()).isEqualTo(2000);
    assertThat(last[1].getAssignment().getMode()).isEqualTo(GroupMode.ALL_ACTIVE);
    Lock first = lock(last[1], "poll").orElseThrow();
    String holder = first.getHolder();
    String other = holder.equals("a") ? "b" : "a";

    GroupView view = client.group("aa");
    assertThat(view.getMode()).isEqualTo("all-active");
    LockView lv = view.getLocksList().stream().filter(l -> l.getKey().equals("poll")).findFirst().orElseThrow();
    assertThat(lv.getHolder()).isEqualTo(holder);
    assertThat(lv.getWantedByList()).containsExactly("a", "b");

    // the holder stops heartbeating; the other keeps going and gets the key only after the lease
    long stopped = sent[holder.equals("a") ? 0 : 1];
    Lock moved = null;
    while (moved == null) {
      HeartbeatResponse r = beat("aa", other, "poll");
      Lock l = lock(r, "poll").orElseThrow();
      long ms = (System.nanoTime() - stopped) / 1_000_000;
      if (l.getHolder().equals(other)) {
        moved = l;
        System.out.printf("lock moved %d ms after the holder's last heartbeat (lease 2000 ms)%n", ms);
        assertThat(ms).as("not before the holder's lease ran out on the leader").isGreaterThanOrEqualTo(2000);
      } else {
        assertThat(l.getHolder()).isEqualTo(holder);
        assertThat(ms).as("the key should move soon after the lease").isLessThan(30_000);
      }
      Waits.sleep(200);
    }
    assertThat(moved.getToken()).isGreaterThan(first.getToken());

    // the first returns, wanting the key: it gets a lease (its flows run) but not the key back
    boolean leased = false;
    for (int i = 0; i < 15; i++) {
      HeartbeatResponse back = beat("aa", holder, "poll");
      leased |= back.getLeaseMillis() > 0;
      HeartbeatResponse keep = beat("aa", other, "poll");
      assertThat(lock(keep, "poll").orElseThrow().getHolder()).isEqualTo(other);
      assertThat(lock(keep, "poll").orElseThrow().getToken()).isEqualTo(moved.getToken());
      Waits.sleep(200);
    }
    assertThat(leased).as("the returning instance gets a fresh lease").isTrue();

    // the holder releases it itself: the waiting one gets it at once under a higher token
    long token = moved.getToken();
    StatusRuntimeException wrong = catchThrowableOfType(() -> client.agent(s -> s.releaseLock(
        ReleaseLockRequest.newBuilder().setGroup("aa").setInstance(holder).setKey("poll").setToken(token).build())),
        StatusRuntimeException.class);
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    client.agent(s -> s.releaseLock(
        ReleaseLockRequest.newBuilder().setGroup("aa").setInstance(other).setKey("poll").setToken(token).build()));
    Waits.until("the returning instance got the released key", LONG, () -> {
      HeartbeatResponse r = beat("aa", holder, "poll");
      beat("aa", other);
      Waits.sleep(100);
      return lock(r, "poll").map(l -> l.getHolder().equals(holder) && l.getToken() > token).orElse(false);
    });
    assertThat(cluster.leader().metrics().lockHandovers("lease_expired")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void switchoverIsRefusedAndAMemberWithALeaseDeploys() {
    createAllActive("aa2", "a", "b");
    HeartbeatResponse r = beat("aa2", "a");
    assertThat(r.getLeaseMillis()).isEqualTo(2000);
    long token = r.getAssignment().getToken();
    assertThat(token).isPositive();
    assertThat(r.getAssignment().getActive()).isEmpty();

    StatusRuntimeException sw = catchThrowableOfType(() -> client.admin(s -> s.switchover(
        SwitchoverRequest.newBuilder().setGroup("aa2").build())), StatusRuntimeException.class);
    assertThat(sw.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(sw.getStatus().getDescription()).contains("all-active");

    DeployRequest d = DeployRequest.newBuilder().setRequestId(UUID.randomUUID().toString()).setGroup("aa2")
        .setInstance("a").setToken(token).setExpectedRevision(0).setFlows(ByteString.copyFromUtf8("[]"))
        .setCredentials(ByteString.copyFromUtf8("{}")).setDeployedBy("admin").build();
    long revision = client.agent(s -> s.deploy(d)).getRevision();
    assertThat(revision).isPositive();
    // b has no lease: refused before the log
    StatusRuntimeException noLease = catchThrowableOfType(() -> client.agent(s -> s.deploy(d.toBuilder()
        .setRequestId(UUID.randomUUID().toString()).setInstance("b").setExpectedRevision(revision).build())),
        StatusRuntimeException.class);
    assertThat(noLease.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(noLease.getStatus().getDescription()).contains("no live lease");
    // a revision conflict reads as one
    StatusRuntimeException conflict = catchThrowableOfType(() -> client.agent(s -> s.deploy(d.toBuilder()
        .setRequestId(UUID.randomUUID().toString()).build())), StatusRuntimeException.class);
    assertThat(conflict.getStatus().getDescription()).contains("revision conflict");
    // bad wanted keys are refused
    StatusRuntimeException bad = catchThrowableOfType(() -> beat("aa2", "a", "no spaces"), StatusRuntimeException.class);
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
