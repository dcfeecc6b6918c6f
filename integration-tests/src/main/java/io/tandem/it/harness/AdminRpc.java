package io.tandem.it.harness;

import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.admin.AdminServiceGrpc;
import io.tandem.proto.admin.ClusterStatusRequest;
import io.tandem.proto.admin.ClusterStatusResponse;
import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import io.tandem.proto.state.InstanceSpec;
import io.tandem.proto.state.Transition;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The admin gRPC API of the cluster, with short deadlines and leader following. */
public final class AdminRpc implements AutoCloseable {
  private static final long DEADLINE_MS = 2000;
  private static final java.time.Duration RETRY_FOR = java.time.Duration.ofSeconds(30);
  private final CoordinatorEndpoints endpoints;
  /** The gRPC address of the leader as the last ClusterStatus named it (null: not known yet). */
  private volatile String leaderAddress;

  /** Plaintext (coordinators with tls.insecure). */
  public AdminRpc(List<String> addresses) {
    this(addresses, io.tandem.common.tls.TlsSettings.plaintext());
  }

  /** With an admin certificate ({@link HarnessCerts#admin()}) for mutual TLS. */
  public AdminRpc(List<String> addresses, io.tandem.common.tls.TlsSettings tls) {
    this.endpoints = CoordinatorEndpoints.of(addresses, tls);
  }

  /**
   * Runs {@code call} (through the endpoints: leader following, rotation), and while the cluster
   * has no leader (UNAVAILABLE, DEADLINE_EXCEEDED) retries every 200 ms for up to 30 s. Writes carry
   * a request id, so a retried write is applied once.
   */
  private <T> T retrying(java.util.function.Function<io.grpc.ManagedChannel, T> call) {
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    while (true) {
      try {
        return endpoints.call(call, 6);
      } catch (StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        boolean transient_ = code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED;
        if (!transient_ || System.nanoTime() - deadline > 0) {
          throw e;
        }
        Waits.sleep(java.time.Duration.ofMillis(200));
      }
    }
  }

  private AdminServiceGrpc.AdminServiceBlockingStub stub(io.grpc.Channel ch, long deadlineMs) {
    return AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
  }

  /** The cluster status; its members' addresses join the ones this client calls (an added coordinator). */
  public ClusterStatusResponse clusterStatus() {
    ClusterStatusResponse r =
        endpoints.call(ch -> stub(ch, DEADLINE_MS).clusterStatus(ClusterStatusRequest.getDefaultInstance()), 6);
    endpoints.learn(r.getPeersList().stream().map(p -> p.getGrpcAddress()).toList());
    return r;
  }

  /** The cluster status if some coordinator answers with a known leader, else empty. */
  public Optional<ClusterStatusResponse> tryClusterStatus() {
    try {
      ClusterStatusResponse r = clusterStatus();
      return r.getLeaderId().isEmpty() ? Optional.empty() : Optional.of(r);
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  public GroupView group(String name) {
    return retrying(ch -> stub(ch, DEADLINE_MS).getGroup(GetGroupRequest.newBuilder().setGroup(name).build()));
  }

  /** The cluster status as the leader itself answers it (peers' lag is known on the leader only). */
  public Optional<ClusterStatusResponse> tryClusterStatusFromLeader() {
    try {
      Optional<ClusterStatusResponse> cs = tryClusterStatus();
      if (cs.isEmpty() || !endpoints.addresses().contains(cs.get().getLeaderAddress())) {
        return Optional.empty();
      }
      ClusterStatusResponse r = stub(endpoints.channel(cs.get().getLeaderAddress()), DEADLINE_MS)
          .clusterStatus(ClusterStatusRequest.getDefaultInstance());
      return r.getAnsweredBy().equals(r.getLeaderId()) ? Optional.of(r) : Optional.empty();
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The group as the Raft leader sees it (only the leader knows heartbeats, readiness and leases; a
   * follower answers with runtime "unknown"), or empty if there is no leader or it does not answer.
   */
  public Optional<GroupView> tryGroup(String name) {
    GetGroupRequest req = GetGroupRequest.newBuilder().setGroup(name).build();
    String known = leaderAddress;
    if (known != null) {
      // Asked first: the leader found last time. Only a leader knows without_ready_standby_millis
      // (a follower answers -1), so such an answer is the leader's. This keeps waits that poll
      // every 50 ms from fetching the whole ClusterStatus (every group) each time, which loads the
      // leader of a cluster with thousands of groups (bin/tandem scale).
      try {
        GroupView g = stub(endpoints.channel(known), DEADLINE_MS).getGroup(req);
        if (g.getWithoutReadyStandbyMillis() >= 0) {
          return Optional.of(g);
        }
      } catch (StatusRuntimeException e) {
        // not the leader any more, or down: find it again below
      }
    }
    try {
      Optional<ClusterStatusResponse> cs = tryClusterStatus();
      if (cs.isEmpty() || !endpoints.addresses().contains(cs.get().getLeaderAddress())) {
        return Optional.empty();
      }
      leaderAddress = cs.get().getLeaderAddress();
      return Optional.of(stub(endpoints.channel(cs.get().getLeaderAddress()), DEADLINE_MS).getGroup(req));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** Creates the group; instances in descending priority (the first gets the highest). */
  public void createGroup(String name, List<String> instances) {
    createGroup(name, instances, io.tandem.proto.state.GroupMode.ACTIVE_STANDBY);
  }

  public void createGroup(String name, List<String> instances, io.tandem.proto.state.GroupMode mode) {
    CreateGroupRequest.Builder b = CreateGroupRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setGroup(name).setMode(mode);
    for (int i = 0; i < instances.size(); i++) {
      b.addInstances(InstanceSpec.newBuilder().setId(instances.get(i)).setHost("127.0.0.1")
          .setPriority(100 - i * 10));
    }
    CreateGroupRequest req = b.build();
    retrying(ch -> stub(ch, DEADLINE_MS).createGroup(req));
  }

  public SwitchoverResponse switchover(String group, String to) {
    SwitchoverRequest req = SwitchoverRequest.newBuilder().setRequestId(UUID.randomUUID().toString())
        .setGroup(group).setToInstance(to == null ? "" : to).build();
    return retrying(ch -> stub(ch, 15_000).switchover(req));
  }

  /**
   * tandemctl members add, from this already connected client: it reaches the leader within
   * milliseconds (a tandemctl process first starts a JVM, seconds on a loaded machine). A refusal
   * is thrown (FAILED_PRECONDITION).
   */
  public io.tandem.proto.admin.MembersResponse addMember(String id, String raftAddress, String grpcAddress) {
    io.tandem.proto.admin.AddMemberRequest req = io.tandem.proto.admin.AddMemberRequest.newBuilder()
        .setId(id).setRaftAddress(raftAddress).setGrpcAddress(grpcAddress).build();
    return retrying(ch -> stub(ch, 25_000).addMember(req));
  }

  /** The transitions of the group the coordinators keep, oldest first. */
  public List<Transition> history(String group) {
    HistoryRequest req = HistoryRequest.newBuilder().setGroup(group).build();
    return retrying(ch -> stub(ch, DEADLINE_MS).history(req)).getTransitionsList();
  }

  /** The flows JSON of one kept revision of the group (0: the current one). */
  public String exportFlows(String group, long revision) {
    io.tandem.proto.admin.ExportFlowsRequest req = io.tandem.proto.admin.ExportFlowsRequest.newBuilder()
        .setGroup(group).setRevision(revision).build();
    return retrying(ch -> stub(ch, DEADLINE_MS).exportFlows(req)).getFlows().toStringUtf8();
  }

  /**
   * The group's committed context as the leader reads it under confirmed leadership
   * (AgentService.GetContext, which the admin certificate may call), asked as member
   * {@code instance}; retried like the other calls while there is no leader.
   */
  public io.tandem.proto.state.ContextSnapshot context(String group, String instance) {
    io.tandem.proto.agent.GetContextRequest req = io.tandem.proto.agent.GetContextRequest.newBuilder()
        .setGroup(group).setInstance(instance).build();
    return retrying(ch -> io.tandem.proto.agent.AgentServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).getContext(req));
  }

  /** {@link #context} without waiting for a leader: empty if no coordinator answers it now. */
  public Optional<io.tandem.proto.state.ContextSnapshot> tryContext(String group, String instance) {
    io.tandem.proto.agent.GetContextRequest req = io.tandem.proto.agent.GetContextRequest.newBuilder()
        .setGroup(group).setInstance(instance).build();
    try {
      return Optional.of(endpoints.call(ch -> io.tandem.proto.agent.AgentServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).getContext(req), 3));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    endpoints.close();
  }
}
