package io.tandem.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes coordinator and agent YAML files (formats: coordinator ConfigLoader, agent AgentConfigLoader). */
final class ConfigWriter {
  private ConfigWriter() {}

  static Path coordinator(Path dir, CoordinatorNode self, List<CoordinatorNode> all, ClusterSpec spec,
      io.tandem.common.tls.TlsSettings tls) {
    StringBuilder y = new StringBuilder();
    y.append("nodeId: ").append(self.id()).append('\n');
    y.append("dataDir: ").append(quote(self.dataDir().toString())).append('\n');
    y.append("peers:\n");
    for (CoordinatorNode p : all) {
      String raft = spec.topology().raftAddress(self.id(), p.id(), p.raftAddress());
      y.append("  - {id: ").append(p.id()).append(", raft: ").append(raft)
          .append(", grpc: ").append(p.grpcAddress()).append("}\n");
    }
    y.append("metrics: 127.0.0.1:").append(self.metricsPort()).append('\n');
    y.append("lease: {duration: ").append(spec.lease().toMillis())
        .append("ms, renewInterval: 250ms, standbyFreshness: 1s, tickInterval: 20ms}\n");
    if (spec.allActive()) {
      // The instances load the deploy that enables the lock nodes up to about a second apart on a
      // loaded 2-core machine: a free key waits this long for every instance that wants it (spread).
      y.append("locks: {settle: ").append(spec.lease().toMillis() * 3 / 4).append("ms}\n");
    }
    y.append(HarnessCerts.yaml(tls));
    return write(dir.resolve(self.id() + ".yaml"), y.toString());
  }

  static Path agent(Path dir, AgentNode a, List<String> coordinators, ClusterSpec spec, Path redJs,
      Map<String, String> env, io.tandem.common.tls.TlsSettings tls) {
    return agent(dir, a, coordinators, true, spec, redJs, env, tls);
  }

  static Path agent(Path dir, AgentNode a, List<String> coordinators, boolean learnCoordinators, ClusterSpec spec,
      Path redJs, Map<String, String> env, io.tandem.common.tls.TlsSettings tls) {
    StringBuilder y = new StringBuilder();
    y.append("group: ").append(spec.group()).append('\n');
    y.append("instance: ").append(a.instance()).append('\n');
    y.append("host: 127.0.0.1\n");
    y.append("coordinators: [").append(String.join(", ", coordinators)).append("]\n");
    if (!learnCoordinators) {
      y.append("learnCoordinators: false\n");
    }
    y.append("http: 127.0.0.1:").append(a.httpPort()).append('\n');
    y.append("lease: {driftBound: 0.01, stopBudget: 300ms, renewInterval: 250ms, rpcTimeout: 300ms}\n");
    y.append("probe: {interval: 100ms, timeout: ").append(spec.probeTimeout().toMillis()).append("ms, misses: ")
        .append(spec.probeMisses()).append("}\n");
    y.append(HarnessCerts.yaml(tls));
    y.append("nodeRed:\n");
    y.append("  mode: launch\n");
    y.append("  command: [node, ").append(quote(redJs.toString())).append("]\n");
    y.append("  userDir: ").append(quote(a.userDir().toString())).append('\n');
    y.append("  host: 127.0.0.1\n");
    y.append("  port: ").append(a.nodeRedPort()).append('\n');
    y.append("  tokenFile: ").append(quote(a.tokenFile().toString())).append('\n');
    if (!spec.nodeRedInstalls().isEmpty()) {
      y.append("  installs: [").append(spec.nodeRedInstalls().stream().map(p -> quote(p.toString()))
          .collect(Collectors.joining(", "))).append("]\n");
    }
    y.append("  env: {").append(env.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ": " + quote(e.getValue())).collect(Collectors.joining(", "))).append("}\n");
    return write(dir.resolve("agent-" + a.instance() + ".yaml"), y.toString());
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
