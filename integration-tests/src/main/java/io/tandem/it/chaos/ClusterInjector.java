package io.tandem.it.chaos;

import io.tandem.it.fault.Fault;
import io.tandem.it.fault.FaultInjector;
import io.tandem.it.fault.PeerMesh;
import io.tandem.it.fault.TcpProxy;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.CoordinatorNode;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.ProcessRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Injects nemesis faults into a {@link LocalCluster} whose links run through a {@link ChaosTopology}. */
public final class ClusterInjector implements FaultInjector {
  private final LocalCluster cluster;
  private final ChaosTopology topology;

  public ClusterInjector(LocalCluster cluster, ChaosTopology topology) {
    this.cluster = cluster;
    this.topology = topology;
  }

  @Override
  public Heal inject(Fault f) {
    return switch (f.kind()) {
      case AGENT_PARTITION -> onAgentLinks(f, TcpProxy::partition);
      case AGENT_ONE_WAY -> onAgentLinks(f, p -> p.oneWay(f.allowed()));
      case AGENT_DELAY -> onAgentLinks(f, p -> p.delay(f.delay()));
      case AGENT_STALL -> onAgentLinks(f, TcpProxy::freeze);
      case AGENT_RESET -> onAgentLinks(f, TcpProxy::reset);
      case ISOLATE_LEADER -> onMesh("leader " + leader().id(), m -> m.isolate(leader().id()));
      case ISOLATE_FOLLOWER -> {
        String follower = follower();
        yield onMesh("follower " + follower, m -> m.isolate(follower));
      }
      case PEER_ONE_WAY -> {
        String leader = leader().id();
        String follower = follower();
        yield onMesh(leader + " -/-> " + follower, m -> m.cutOneWay(leader, follower));
      }
      case PEER_DELAY -> onMesh("all peers", m -> {
        List<String> ids = m.ids();
        for (int i = 0; i < ids.size(); i++) {
          for (int j = i + 1; j < ids.size(); j++) {
            m.delay(ids.get(i), ids.get(j), f.delay());
          }
        }
      });
      case PEER_RESET -> onMesh("all peers", PeerMesh::resetAll);
      case PAUSE_AGENT -> {
        AgentNode a = cluster.agent(f.target());
        a.process().pause();
        yield heal("agent " + a.instance(), () -> a.process().resume());
      }
      case PAUSE_NODE_RED -> {
        long pid = cluster.agent(f.target()).nodeRedPid(Duration.ofSeconds(5));
        ProcessRegistry.signal(pid, "STOP");
        yield heal("Node-RED " + f.target() + " pid " + pid, () -> continueIfAlive(pid));
      }
      case PAUSE_LEADER -> {
        CoordinatorNode leader = leader();
        leader.process().pause();
        yield heal("leader " + leader.id(), () -> leader.process().resume());
      }
      case KILL_NODE_RED -> {
        long pid = cluster.agent(f.target()).nodeRedPid(Duration.ofSeconds(5));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        yield heal("Node-RED " + f.target() + " pid " + pid, () -> { });
      }
      case RESTART_COORDINATOR -> {
        CoordinatorNode node = coordinator(f.target());
        node.process().kill();
        yield heal("coordinator " + node.id(), () -> node.process().start());
      }
    };
  }

  private Heal onAgentLinks(Fault f, Consumer<TcpProxy> action) {
    List<TcpProxy> links = topology.agentLinks(f.target());
    if (links.isEmpty()) {
      throw new IllegalStateException("agent " + f.target() + " has no proxied coordinator links");
    }
    links.forEach(action);
    return heal("agent " + f.target() + " links", () -> links.forEach(TcpProxy::heal));
  }

  private Heal onMesh(String target, Consumer<PeerMesh> action) {
    PeerMesh mesh = topology.mesh();
    action.accept(mesh);
    return heal(target, mesh::heal);
  }

  private CoordinatorNode leader() {
    return cluster.leader();
  }

  /** The first coordinator, by id, that is not the leader now. */
  private String follower() {
    String leader = leader().id();
    return cluster.coordinators().stream().map(CoordinatorNode::id).filter(id -> !id.equals(leader))
        .sorted().findFirst().orElseThrow();
  }

  private CoordinatorNode coordinator(String id) {
    return cluster.coordinators().stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no coordinator " + id));
  }

  private static void continueIfAlive(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      ProcessRegistry.signal(pid, "CONT"); // the agent may have killed it as hung meanwhile
    }
  }

  private static Heal heal(String target, Action undo) {
    return new Heal() {
      @Override
      public String target() {
        return target;
      }

      @Override
      public void heal() throws Exception {
        undo.run();
      }
    };
  }

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }
}
