package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.common.config.HostPort;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.TestCerts;
import io.tandem.coordinator.testing.Waits;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CreateGroup;
import io.tandem.proto.state.InstanceSpec;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator that cannot start says so in Tandem's own paragraph, naming the port or file, the
 * cause and the recovery step, and exits 1 (never an exit from inside Ratis, never a bare
 * "Failed to initRaftLog.").
 */
class CoordinatorStartFailureTest {
  @TempDir Path dir;
  private int raftPort;
  private int grpcPort;
  private Path config;
  private Path data;

  private record Run(int code, String err) {}

  private Run run() {
    StringWriter err = new StringWriter();
    int code = CoordinatorMain.run(new String[] {"--config", config.toString()}, new PrintWriter(err, true));
    return new Run(code, err.toString());
  }

  @BeforeEach
  void oneNodeConfig() throws Exception {
    List<Integer> ports = FreePorts.pick(2);
    raftPort = ports.get(0);
    grpcPort = ports.get(1);
    data = dir.resolve("data");
    config = dir.resolve("c1.yaml");
    Files.writeString(config, "nodeId: c1\ndataDir: " + data + "\npeers:\n"
        + "  - {id: c1, raft: 127.0.0.1:" + raftPort + ", grpc: 127.0.0.1:" + grpcPort + "}\n"
        + new TestCerts(dir.resolve("certs")).peerYaml("c1")); // mutual TLS, as shipped
  }

  @Test
  void theRaftPortInUseIsNamedAndTheExitIsTandemsNotRatis() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.setReuseAddress(true);
      taken.bind(new InetSocketAddress("127.0.0.1", raftPort));
      // Before: Ratis' gRPC server called System.exit(1) and took this test JVM with it.
      Run r = run();
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip()).doesNotContain("\n")
          .contains("could not start c1: port 127.0.0.1:" + raftPort + " (raft) is already in use");
    }
  }

  @Test
  void flippedBytesInALogSegmentNameTheFileTheCauseAndTheRecovery() throws Exception {
    writeSomeState(false);
    Path segment = only(data, "log_");
    flipBytes(segment, 40);
    Run r = run();
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("could not start c1: the Raft log segment " + segment)
        .contains("checksum")
        .contains("move its data dir aside (mv " + data.toAbsolutePath());
  }

  @Test
  void aTruncatedSnapshotNamesTheFileTheCauseAndTheRecovery() throws Exception {
    writeSomeState(true);
    Path snapshot = newestSnapshot(); // the one a start loads (a stop may write a newer one)
    byte[] bytes = Files.readAllBytes(snapshot);
    Files.write(snapshot, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Run r = run();
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("could not start c1: a snapshot in").contains(snapshot.toString())
        .contains("truncated")
        .contains("move its data dir aside");
  }

  /** Runs the one-node coordinator, commits a group (and a snapshot), stops it. */
  private void writeSomeState(boolean snapshot) throws Exception {
    CoordinatorConfig cfg = new CoordinatorConfig("c1", "tandem", data,
        List.of(new PeerConfig("c1", new HostPort("127.0.0.1", raftPort), new HostPort("127.0.0.1", grpcPort))),
        Optional.empty(), LeaseSettings.DEFAULTS, Duration.ofSeconds(10));
    CoordinatorServer s = new CoordinatorServer(cfg);
    try {
      s.start();
      Waits.until("leader", Duration.ofSeconds(60), () -> s.raft().isLeaderReady());
      s.raft().submit(Command.newBuilder().setRequestId("r1").setCreateGroup(CreateGroup.newBuilder()
          .setGroup("g1").addInstances(InstanceSpec.newBuilder().setId("a").setHost("h"))).build())
          .get(30, TimeUnit.SECONDS);
      if (snapshot) {
        assertThat(s.raft().takeSnapshot(10_000)).isPositive();
      }
    } finally {
      s.kill();
    }
  }

  private Path newestSnapshot() throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
          .max(java.util.Comparator.comparingLong(
              p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow(() -> new AssertionError("no snapshot in " + data));
    }
  }

  private static Path only(Path root, String prefix) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix)
          && !p.getFileName().toString().endsWith(".md5")).toList();
      assertThat(found).as(prefix + " files in " + root).hasSize(1);
      return found.get(0);
    }
  }

  private static void flipBytes(Path file, int at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      for (int i = at; i < at + 8; i++) {
        f.seek(i);
        int b = f.read();
        f.seek(i);
        f.write(b ^ 0xFF);
      }
    }
  }
}
