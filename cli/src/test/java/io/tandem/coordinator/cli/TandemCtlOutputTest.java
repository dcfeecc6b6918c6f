package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.WriteResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Table and JSON shapes, and what a write sends, against a fake coordinator. */
class TandemCtlOutputTest {
  private static final ClusterStatusResponse STATUS =
      ClusterStatusResponse.newBuilder()
          .setLeaderId("c1").setLeaderAddress("127.0.0.1:7101").setTerm(3).setCommitIndex(42).setAnsweredBy("c1")
          .addPeers(PeerInfo.newBuilder().setId("c1").setGrpcAddress("127.0.0.1:7101").setRaftAddress("127.0.0.1:7201")
              .setRole("LEADER").setMatchIndex(42).setLag(0).setLastContactMillis(-1))
          .addPeers(PeerInfo.newBuilder().setId("c2").setGrpcAddress("127.0.0.1:7102").setRaftAddress("127.0.0.1:7202")
              .setRole("FOLLOWER").setMatchIndex(40).setLag(2).setLastContactMillis(40))
          .addPeers(PeerInfo.newBuilder().setId("c3").setGrpcAddress("127.0.0.1:7103").setRaftAddress("127.0.0.1:7203")
              .setRole("UNREACHABLE").setMatchIndex(30).setLag(12).setLastContactMillis(4200))
          .addGroups(GroupView.newBuilder().setName("line1").setActive("nr-a").setToken(17).setLeaseLeftMillis(1800)
              .setStandbysReady(1).setCurrentRevision(57)
              .addInstances(InstanceView.newBuilder().setId("nr-a").setPriority(10).setRuntime("running").setHeartbeatAgeMillis(120)
                  .setLoadedRevision(57))
              .addInstances(InstanceView.newBuilder().setId("nr-b").setRuntime("standby").setReady(true).setHeartbeatAgeMillis(90)
                  .setLoadedRevision(57))
              .addInstances(InstanceView.newBuilder().setId("nr-c").setRuntime("standby").setHeartbeatAgeMillis(90)
                  .setLoadedRevision(41).setNotReadyReason("standby nr-c has loaded revision 41, current is 57")))
          .addGroups(GroupView.newBuilder().setName("packaging-line-2").setLeaseLeftMillis(-1).setMaintenance(true))
          .build();

  private static FakeCoordinator fake(AtomicReference<CreateGroupRequest> created) {
    return new FakeCoordinator(
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
            reply.onNext(STATUS);
            reply.onCompleted();
          }

          @Override
          public void createGroup(CreateGroupRequest r, StreamObserver<WriteResponse> reply) {
            created.set(r);
            reply.onNext(WriteResponse.newBuilder().setIndex(43).build());
            reply.onCompleted();
          }
        });
  }

  @Test
  void statusJsonHasTheFieldsScriptsRelyOn() throws Exception {
    try (FakeCoordinator c = fake(new AtomicReference<>())) {
      CtlRun run = CtlRun.at(c.address(), "--json", "status");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      JsonNode j = run.json();
      assertThat(j.get("leader").asText()).isEqualTo("c1");
      assertThat(j.get("term").asLong()).isEqualTo(3);
      assertThat(j.get("commitIndex").asLong()).isEqualTo(42);
      assertThat(j.get("peers")).hasSize(3);
      assertThat(j.get("peers").get(2).get("role").asText()).isEqualTo("UNREACHABLE");
      assertThat(j.get("peers").get(2).get("lastContactMillis").asLong()).isEqualTo(4200);
      JsonNode c2 = j.get("peers").get(1);
      assertThat(c2.get("id").asText()).isEqualTo("c2");
      assertThat(c2.get("address").asText()).isEqualTo("127.0.0.1:7102");
      assertThat(c2.get("role").asText()).isEqualTo("FOLLOWER");
      assertThat(c2.get("lag").asLong()).isEqualTo(2);
      JsonNode g = j.get("groups").get(0);
      assertThat(g.get("name").asText()).isEqualTo("line1");
      assertThat(g.get("active").asText()).isEqualTo("nr-a");
      assertThat(g.get("token").asLong()).isEqualTo(17);
      assertThat(g.get("instances").get(1).get("ready").asBoolean()).isTrue();
      assertThat(g.get("currentRevision").asLong()).isEqualTo(57);
      assertThat(g.get("instances").get(2).get("loadedRevision").asLong()).isEqualTo(41);
      assertThat(g.get("instances").get(2).get("notReadyReason").asText()).contains("has loaded revision 41");
      assertThat(j.get("groups").get(1).get("active").asText()).isEmpty();
    }
  }

  @Test
  void statusTableIsAligned() throws Exception {
    try (FakeCoordinator c = fake(new AtomicReference<>())) {
      CtlRun run = CtlRun.at(c.address(), "status");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.outLines().get(0)).isEqualTo("leader c1 (127.0.0.1:7101)  term 3  commit index 42  answered by c1");
      assertThat(run.out())
          .contains(
              "PEER  ROLE         GRPC            RAFT            MATCH INDEX  LAG  LAST CONTACT\n"
                  + "c1    LEADER       127.0.0.1:7101  127.0.0.1:7201  42           0    -\n"
                  + "c2    FOLLOWER     127.0.0.1:7102  127.0.0.1:7202  40           2    40ms\n"
                  + "c3    UNREACHABLE  127.0.0.1:7103  127.0.0.1:7203  30           12   4.2s\n"
                  + "warning: peer c3 is unreachable: no answer to the leader for 4.2s; check that it"
                  + " runs and that the leader can reach 127.0.0.1:7203\n")
          .contains(
              "GROUP             ACTIVE  TOKEN  REVISION  MAINTENANCE  LEASE LEFT  READY STANDBYS  INSTANCES  MODE            LOCKS\n"
                  + "line1             nr-a    17     57        no           1.8s        1               3          active-standby  -\n"
                  + "packaging-line-2  -       0      -         yes          -           0               0          active-standby  -\n")
          .contains(
              "GROUP  INSTANCE  RUNTIME  READY   REVISION\n"
                  + "line1  nr-a *    running  active  57\n"
                  + "line1  nr-b      standby  yes     57\n"
                  + "line1  nr-c      standby  no      41\n"
                  + "line1/nr-c not ready: standby nr-c has loaded revision 41, current is 57\n");
    }
  }

  @Test
  void groupCreateSendsInstancesWithPrioritiesAndFlags() throws Exception {
    AtomicReference<CreateGroupRequest> created = new AtomicReference<>();
    try (FakeCoordinator c = fake(created)) {
      CtlRun run =
          CtlRun.at(c.address(), "group", "create", "line1", "--instance", "nr-a:10", "--instance", "nr-b", "--instance", "nr-c:-1", "--no-failover", "nr-c", "--json");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.json().get("index").asLong()).isEqualTo(43);
      assertThat(run.json().get("group").asText()).isEqualTo("line1");
      CreateGroupRequest r = created.get();
      assertThat(r.getGroup()).isEqualTo("line1");
      assertThat(r.getInstancesList())
          .extracting(i -> i.getId() + ":" + i.getPriority() + ":" + i.getNoFailover())
          .containsExactly("nr-a:10:false", "nr-b:0:false", "nr-c:-1:true");
    }
  }

  @Test
  void groupCreateSendsTheModeAndRefusesAnUnknownOne() throws Exception {
    AtomicReference<CreateGroupRequest> created = new AtomicReference<>();
    try (FakeCoordinator c = fake(created)) {
      CtlRun run = CtlRun.at(c.address(), "group", "create", "web", "--instance", "a", "--instance", "b",
          "--mode", "all-active");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out()).contains("created group web with 2 instance(s) (log index 43), mode all-active");
      assertThat(created.get().getMode()).isEqualTo(io.tandem.proto.state.GroupMode.ALL_ACTIVE);
      CtlRun plain = CtlRun.at(c.address(), "group", "create", "line", "--instance", "a");
      assertThat(plain.exitCode()).as(plain.toString()).isZero();
      assertThat(created.get().getMode()).isEqualTo(io.tandem.proto.state.GroupMode.ACTIVE_STANDBY);
      CtlRun bad = CtlRun.at(c.address(), "group", "create", "x", "--instance", "a", "--mode", "hot");
      assertThat(bad.exitCode()).isEqualTo(2);
      assertThat(bad.err()).contains("--mode \"hot\": expected active-standby or all-active");
    }
  }
}
