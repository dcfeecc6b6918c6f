package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.TestClient;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.TandemState;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random CreateGroup, Deploy and Switchover requests over real gRPC to a real cluster: each is accepted
 * or refused with a status that names the problem (INVALID_ARGUMENT for bad fields), never UNKNOWN or
 * INTERNAL; a request refused as INVALID_ARGUMENT never reaches the log (the state, applied index
 * included, is exactly as it was), and one the state machine refuses changes nothing but the applied index.
 */
class RandomRequestsPropertyTest {
  private static final Set<Status.Code> REFUSALS = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS);
  private static MiniCluster cluster;
  private static TestClient client;

  @BeforeContainer
  static void startCluster() throws Exception {
    cluster = MiniCluster.start(3);
    cluster.waitForLeader(Duration.ofSeconds(30));
    client = new TestClient(cluster.grpcAddresses(), Duration.ofSeconds(10), 5000);
    client.createGroup("known", "a", "b");
  }

  @AfterContainer
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars("ab._-").ofMinLength(0).ofMaxLength(66),
        Arbitraries.strings().all().ofMaxLength(80), Arbitraries.of("known", "a", "b"));
  }

  @Provide
  Arbitrary<ByteString> bytes() {
    return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(200).map(ByteString::copyFrom),
        Arbitraries.of("[]", "[{\"id\":1}", "{}").map(ByteString::copyFromUtf8));
  }

  @Property(tries = 60)
  void createGroup(@ForAll("names") String group, @ForAll @Size(max = 3) List<@net.jqwik.api.From("names") String> ids) {
    CreateGroupRequest req = CreateGroupRequest.newBuilder().setGroup(group)
        .addAllInstances(ids.stream().map(id -> InstanceSpec.newBuilder().setId(id).build()).toList()).build();
    refusedChangesNothing(() -> client.admin(s -> s.createGroup(req)));
  }

  @Property(tries = 60)
  void deploy(@ForAll("names") String group, @ForAll("names") String instance, @ForAll long token,
      @ForAll("bytes") ByteString flows, @ForAll("bytes") ByteString credentials) {
    DeployRequest req = DeployRequest.newBuilder().setGroup(group).setInstance(instance).setToken(token)
        .setFlows(flows).setCredentials(credentials).build();
    refusedChangesNothing(() -> client.agent(s -> s.deploy(req)));
  }

  @Property(tries = 60)
  void switchover(@ForAll("names") String group, @ForAll("names") String to, @ForAll long timeoutMillis) {
    SwitchoverRequest req = SwitchoverRequest.newBuilder().setGroup(group).setToInstance(to)
        .setTimeoutMillis(Math.floorMod(timeoutMillis, 3) == 0 ? timeoutMillis : Math.floorMod(timeoutMillis, 200))
        .build();
    refusedChangesNothing(() -> client.admin(s -> s.switchover(req)));
  }

  private static void refusedChangesNothing(Runnable call) {
    int leader = cluster.waitForLeader(Duration.ofSeconds(30));
    TandemState before = cluster.server(leader).raft().stateMachine().state();
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as(e.toString()).isIn(REFUSALS);
      assertThat(e.getStatus().getDescription()).as("a message that says what is wrong").isNotBlank();
      TandemState after = cluster.server(leader).raft().stateMachine().state();
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        // refused before the log: not even an entry
        assertThat(after).as("refused: " + e.getStatus()).isEqualTo(before);
      } else {
        // refused by the state machine (an applied entry that changed nothing but the applied index)
        assertThat(withoutIndex(after)).as("refused: " + e.getStatus()).isEqualTo(withoutIndex(before));
      }
    }
  }

  private static TandemState withoutIndex(TandemState s) {
    return s.toBuilder().clearLastAppliedIndex().clearRecentRequests().build();
  }
}
