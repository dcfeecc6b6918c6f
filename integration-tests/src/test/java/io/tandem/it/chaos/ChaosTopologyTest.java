package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.fault.PeerMesh;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosTopologyTest {
  @TempDir Path dir;

  @Test
  void agentsDialTheirOwnProxiesToEachCoordinator() throws IOException {
    try (ServerSocket coordinator = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        ChaosTopology t = new ChaosTopology(null, Map.of(), Map.of())) {
      String real = "127.0.0.1:" + coordinator.getLocalPort();
      List<String> forA = t.coordinatorsForAgent("a", List.of(real));
      List<String> forB = t.coordinatorsForAgent("b", List.of(real));
      assertThat(forA).hasSize(1).doesNotContain(real);
      assertThat(forA).doesNotContainAnyElementsOf(forB);
      assertThat(t.coordinatorsForAgent("a", List.of(real))).isEqualTo(forA); // stable
      int port = Integer.parseInt(forA.get(0).substring(forA.get(0).indexOf(':') + 1));
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port); Socket server = coordinator.accept()) {
        OutputStream out = s.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = server.getInputStream();
        assertThat(in.read()).isEqualTo(42);
      }
      assertThat(t.agentLinks("a")).hasSize(1);
      assertThat(t.agentLinks("a").get(0).acceptedConnections()).isEqualTo(1);
      assertThat(t.raftAddress("c1", "c2", "127.0.0.1:7000")).isEqualTo("127.0.0.1:7000");
    }
  }

  @Test
  void withAMeshEveryConfigNamesPeersByHostAndEachCoordinatorGetsItsHostsFile() throws IOException {
    PeerMesh mesh = PeerMesh.create(List.of("c1", "c2", "c3"), dir);
    try (ChaosTopology t = new ChaosTopology(mesh, Map.of("c2", 1.004), Map.of("a", 0.996))) {
      assertThat(t.raftAddress("c1", "c2", "127.0.0.1:1")).isEqualTo(mesh.raftAddress("c2")).startsWith("c2:");
      assertThat(t.raftAddress("c3", "c2", "127.0.0.1:1")).isEqualTo(mesh.raftAddress("c2"));
      assertThat(t.javaOpts("c1", "-Xmx64m")).isEqualTo("-Xmx64m -Djdk.net.hosts.file=" + dir.resolve("hosts-c1"));
      assertThat(t.javaOpts("agent-a", "-Xmx64m")).isEqualTo("-Xmx64m");
      assertThat(t.environment("c2")).containsEntry("FAKETIME", "+0 x1.004");
      assertThat(t.environment("agent-a")).containsEntry("FAKETIME", "+0 x0.996");
      assertThat(t.environment("c1")).isEmpty();
    }
  }
}
