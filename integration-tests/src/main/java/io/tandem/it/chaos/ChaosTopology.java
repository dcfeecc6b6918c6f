package io.tandem.it.chaos;

import io.tandem.common.config.HostPort;
import io.tandem.it.fault.ClockFault;
import io.tandem.it.fault.PeerMesh;
import io.tandem.it.fault.TcpProxy;
import io.tandem.it.harness.ClusterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the chaos cluster's faults live: one {@link TcpProxy} per agent per coordinator (the agent
 * dials the proxies), optionally a {@link PeerMesh} between the coordinators, and the clock rate of
 * every process.
 *
 * <p>The peer mesh and the clock rates need two hooks of the harness beyond address rewriting: the
 * coordinator's own Raft entry must go through {@link #raftAddress} like the others (Ratis
 * replicates the peers' addresses, so they must be the same host names in every config), and each
 * process needs its own JVM options and environment ({@link #javaOpts}, {@link #environment}).
 */
public final class ChaosTopology implements ClusterSpec.Topology, AutoCloseable {
  private final PeerMesh mesh;
  private final Map<String, Double> coordinatorClocks;
  private final Map<String, Double> agentClocks;
  private final Map<String, List<TcpProxy>> agentLinks = new ConcurrentHashMap<>();

  /**
   * @param mesh              the coordinators' peer mesh, or null to let them talk directly
   * @param coordinatorClocks clock rate per coordinator id (missing: real time)
   * @param agentClocks       clock rate per instance, for its agent and its Node-RED
   */
  public ChaosTopology(PeerMesh mesh, Map<String, Double> coordinatorClocks, Map<String, Double> agentClocks) {
    this.mesh = mesh;
    this.coordinatorClocks = Map.copyOf(coordinatorClocks);
    this.agentClocks = Map.copyOf(agentClocks);
  }

  public boolean hasPeerMesh() {
    return mesh != null;
  }

  public PeerMesh mesh() {
    if (mesh == null) {
      throw new IllegalStateException("this cluster runs without a peer mesh: no faults between coordinators");
    }
    return mesh;
  }

  @Override
  public String raftAddress(String from, String to, String real) {
    return mesh == null ? real : mesh.raftAddress(to);
  }

  @Override
  public List<String> coordinatorsForAgent(String instance, List<String> real) {
    List<TcpProxy> links = agentLinks.computeIfAbsent(instance, i -> startLinks(i, real));
    return links.stream().map(p -> "127.0.0.1:" + p.address().getPort()).toList();
  }

  private static List<TcpProxy> startLinks(String instance, List<String> real) {
    List<TcpProxy> out = new ArrayList<>();
    try {
      for (int i = 0; i < real.size(); i++) {
        HostPort a = HostPort.parse(real.get(i));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(a.host()), a.port());
        out.add(TcpProxy.start("agent-" + instance + "->coordinator" + (i + 1),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target));
      }
      return List.copyOf(out);
    } catch (IOException e) {
      out.forEach(TcpProxy::close);
      throw new UncheckedIOException("cannot start the proxies of agent " + instance, e);
    }
  }

  /** The proxies between an agent and the coordinators (empty before the agent was configured). */
  public List<TcpProxy> agentLinks(String instance) {
    return agentLinks.getOrDefault(instance, List.of());
  }

  /** JVM options of a process (coordinator id, or "agent-" + instance): the peer's hosts file. */
  public String javaOpts(String process, String base) {
    return mesh != null && mesh.ids().contains(process) ? base + " " + mesh.javaOption(process) : base;
  }

  /** Extra environment of a process (coordinator id, or "agent-" + instance): its clock rate. */
  public Map<String, String> environment(String process) {
    Double rate = process.startsWith("agent-") ? agentClocks.get(process.substring("agent-".length()))
        : coordinatorClocks.get(process);
    return rate == null || rate == 1.0 ? Map.of() : new LinkedHashMap<>(new ClockFault(rate).environment());
  }

  @Override
  public void close() {
    agentLinks.values().forEach(l -> l.forEach(TcpProxy::close));
    if (mesh != null) {
      mesh.close();
    }
  }
}
