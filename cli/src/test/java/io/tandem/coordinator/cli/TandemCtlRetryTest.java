package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.WriteResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Following the leader, rotating past dead or frozen coordinators, request ids on retries. */
class TandemCtlRetryTest {

  private static AdminServiceGrpc.AdminServiceImplBase statusFrom(String leaderId) {
    return new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> reply) {
        reply.onNext(ClusterStatusResponse.newBuilder().setLeaderId(leaderId).setAnsweredBy(leaderId).build());
        reply.onCompleted();
      }
    };
  }

  @Test
  void followsTheLeaderNamedByAFollower() throws Exception {
    try (FakeCoordinator leader = new FakeCoordinator(statusFrom("c2"));
        FakeCoordinator other = new FakeCoordinator(statusFrom("c3"));
        FakeCoordinator follower =
            new FakeCoordinator(
                new AdminServiceGrpc.AdminServiceImplBase() {
                  @Override
                  public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
                    reply.onError(FakeCoordinator.notLeader(leader.address()));
                  }
                })) {
      // rotating would ask c3 next: only the follower's trailer leads to c2
      String list = follower.address() + "," + other.address() + "," + leader.address();
      CtlRun run = CtlRun.at(list, "status", "--json");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.json().get("answeredBy").asText()).isEqualTo("c2");
    }
  }

  @Test
  void readsGoToTheLeaderWhereLeaseFiguresAreKnown() throws Exception {
    try (FakeCoordinator leader = new FakeCoordinator(groupService("c2", null, 1500));
        FakeCoordinator follower = new FakeCoordinator(groupService("c1", leader.address(), -1))) {
      String list = follower.address() + "," + leader.address();
      CtlRun show = CtlRun.at(list, "group", "show", "g", "--json");
      assertThat(show.exitCode()).as(show.toString()).isZero();
      assertThat(show.json().get("leaseLeftMillis").asLong()).isEqualTo(1500);
      CtlRun status = CtlRun.at(list, "status", "--json");
      assertThat(status.json().get("answeredBy").asText()).isEqualTo("c2");
    }
    // the leader is not reachable: the follower's answer is shown
    String dead = FakeCoordinator.deadAddress();
    try (FakeCoordinator follower = new FakeCoordinator(groupService("c1", dead, -1))) {
      CtlRun show = CtlRun.at(follower.address() + "," + dead, "group", "show", "g", "--json");
      assertThat(show.exitCode()).as(show.toString()).isZero();
      assertThat(show.json().get("leaseLeftMillis").asLong()).isEqualTo(-1);
    }
  }

  /** Answers status as {@code self} (leader c2 at {@code leaderAddress}, or itself) and a group. */
  private static AdminServiceGrpc.AdminServiceImplBase groupService(String self, String leaderAddress, long leaseLeft) {
    return new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
        reply.onNext(ClusterStatusResponse.newBuilder().setLeaderId("c2").setAnsweredBy(self)
            .setLeaderAddress(leaderAddress == null ? "" : leaderAddress).build());
        reply.onCompleted();
      }

      @Override
      public void getGroup(GetGroupRequest r, StreamObserver<GroupView> reply) {
        reply.onNext(GroupView.newBuilder().setName(r.getGroup()).setLeaseLeftMillis(leaseLeft).build());
        reply.onCompleted();
      }
    };
  }

  @Test
  void skipsADeadAndAFrozenCoordinator() throws Exception {
    var frozen =
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> reply) {
            // never answers, as a SIGSTOPped leader
          }
        };
    try (FakeCoordinator stuck = new FakeCoordinator(frozen);
        FakeCoordinator good = new FakeCoordinator(statusFrom("c3"))) {
      String list = FakeCoordinator.deadAddress() + "," + stuck.address() + "," + good.address();
      long start = System.nanoTime();
      CtlRun run = CtlRun.at(list, "--attempt-timeout", "300ms", "--timeout", "5s", "status", "--json");
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.json().get("leader").asText()).isEqualTo("c3");
      assertThat(tookMillis).as("the frozen one costs one attempt, not the whole timeout").isLessThan(4_000);
    }
  }

  @Test
  void aRetriedWriteReusesItsRequestIdAndEachCommandGetsANewOne() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    var slowFirst =
        new AdminServiceGrpc.AdminServiceImplBase() {
          @Override
          public void createGroup(CreateGroupRequest r, StreamObserver<WriteResponse> reply) {
            seen.add(r.getRequestId());
            if (calls.incrementAndGet() == 1) {
              return; // the answer is "lost": the client's attempt times out and it retries
            }
            reply.onNext(WriteResponse.newBuilder().setIndex(7).build());
            reply.onCompleted();
          }
        };
    try (FakeCoordinator c = new FakeCoordinator(slowFirst)) {
      CtlRun run =
          CtlRun.at(c.address(), "--attempt-timeout", "200ms", "--timeout", "3s", "group", "create", "g", "--instance", "a:2", "--instance", "b");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.out()).contains("created group g with 2 instance(s) (log index 7)");
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0)).isNotBlank().isEqualTo(seen.get(1));

      CtlRun again = CtlRun.at(c.address(), "group", "create", "g", "--instance", "a");
      assertThat(again.exitCode()).isZero();
      assertThat(seen).hasSize(3);
      assertThat(seen.get(2)).isNotBlank().isNotEqualTo(seen.get(0));
    }
  }
}
