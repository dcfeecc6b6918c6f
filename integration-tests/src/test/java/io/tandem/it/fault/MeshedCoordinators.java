package io.tandem.it.fault;

import io.tandem.it.harness.AdminRpc;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.ManagedProcess;
import io.tandem.it.harness.Ports;
import io.tandem.it.harness.Repo;
import io.tandem.proto.admin.ClusterStatusResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Three real coordinator processes (bin/tandem-coordinator) whose Raft traffic runs through a
 * {@link PeerMesh}: each gets its own hosts file through TANDEM_JAVA_OPTS.
 */
final class MeshedCoordinators implements AutoCloseable {
  static final List<String> IDS = List.of("c1", "c2", "c3");

  private final Path dir;
  private final PeerMesh mesh;
  private final Map<String, Integer> grpcPorts = new LinkedHashMap<>();
  private final Map<String, ManagedProcess> processes = new LinkedHashMap<>();
  private final Map<String, AdminRpc> direct = new LinkedHashMap<>();

  private final Map<String, ClockFault> clocks;
  private final io.tandem.it.harness.HarnessCerts certs; // mutual TLS, peers named by id in their certificates

  /** {@code clocks}: a clock rate per coordinator id (missing: real time). */
  MeshedCoordinators(Path dir, Map<String, ClockFault> clocks) throws IOException {
    this.dir = dir;
    this.clocks = Map.copyOf(clocks);
    this.mesh = PeerMesh.create(IDS, dir.resolve("hosts"));
    this.certs = io.tandem.it.harness.HarnessCerts.in(dir.resolve("certs"));
    for (String id : IDS) {
      grpcPorts.put(id, Ports.free());
    }
  }

  void start() throws IOException {
    for (String id : IDS) {
      Path config = Files.writeString(dir.resolve(id + ".yaml"), config(id));
      String javaOpts = ClusterSpec.SMALL_JVM + " " + mesh.javaOption(id);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("TANDEM_JAVA_OPTS", javaOpts);
      if (clocks.containsKey(id)) {
        env.putAll(clocks.get(id).environment());
      }
      ManagedProcess p = new ManagedProcess(id,
          List.of(Repo.launcher("tandem-coordinator").toString(), "--config", config.toString()),
          env, dir, dir.resolve(id + ".log"));
      processes.put(id, p);
      p.start();
      direct.put(id, new AdminRpc(List.of(grpcAddress(id)), certs.admin()));
    }
  }

  private String config(String id) {
    StringBuilder y = new StringBuilder();
    y.append("nodeId: ").append(id).append('\n');
    y.append("dataDir: \"").append(dir.resolve(id + "-data")).append("\"\n");
    y.append("peers:\n");
    for (String p : IDS) {
      y.append("  - {id: ").append(p).append(", raft: ").append(mesh.raftAddress(p))
          .append(", grpc: ").append(grpcAddress(p)).append("}\n");
    }
    y.append(io.tandem.it.harness.HarnessCerts.yaml(certs.peer(id)));
    return y.toString();
  }

  String grpcAddress(String id) {
    return "127.0.0.1:" + grpcPorts.get(id);
  }

  long pid(String id) {
    return processes.get(id).pid();
  }

  PeerMesh mesh() {
    return mesh;
  }

  Path dir() {
    return dir;
  }

  /** What coordinator {@code id} itself says (no redirect), or empty if it does not answer. */
  Optional<ClusterStatusResponse> statusOf(String id) {
    try {
      return Optional.of(direct.get(id).clusterStatus());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  List<String> logTails() throws IOException {
    List<String> out = new ArrayList<>();
    for (ManagedProcess p : processes.values()) {
      List<String> lines = Files.exists(p.log()) ? Files.readAllLines(p.log()) : List.of();
      out.add("--- " + p + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
    }
    return out;
  }

  @Override
  public void close() {
    processes.values().forEach(ManagedProcess::kill);
    direct.values().forEach(AdminRpc::close);
    mesh.close();
  }
}
