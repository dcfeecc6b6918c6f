package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.coordinator.testing.TestCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoordinatorMainTest {
  @TempDir Path dir;

  private record Run(int code, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = CoordinatorMain.run(args, new PrintWriter(err, true));
    return new Run(code, err.toString());
  }

  @Test
  void aBadConfigFileExitsWithTwoAndOneLineNamingTheField() throws Exception {
    Path file = dir.resolve("coordinator.yaml");
    Files.writeString(file, """
        nodeId: c1
        dataDir: /tmp/never-used
        peers:
          - {id: c1, raft: 127.0.0.1:notaport, grpc: 127.0.0.1:7101}
        """);
    Run r = run("--config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("coordinator.yaml: peers[0].raft:")
        .contains("notaport");
  }

  @Test
  void aMissingFileOrOptionIsAUsageError() {
    Run missing = run("--config", dir.resolve("nope.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.yaml").contains("cannot read");
    Run noConfig = run();
    assertThat(noConfig.code()).isEqualTo(2);
    assertThat(noConfig.err()).contains("--config");
  }

  @Test
  void aPortInUseIsAStartFailureWithExitCodeOne() throws Exception {
    var ports = io.tandem.coordinator.testing.FreePorts.pick(1);
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      Path file = dir.resolve("c.yaml");
      Files.writeString(file, "nodeId: c1\ndataDir: " + dir.resolve("data") + "\npeers:\n"
          + "  - {id: c1, raft: 127.0.0.1:" + ports.get(0) + ", grpc: 127.0.0.1:" + taken.getLocalPort() + "}\n"
          + new TestCerts(dir.resolve("certs")).peerYaml("c1")); // mutual TLS, as shipped
      Run r = run("--config", file.toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).contains("could not start c1");
    }
  }

  @Test
  void helpDescribesTheOptions() {
    StringWriter out = new StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new CoordinatorMain(new PrintWriter(new StringWriter())));
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString()).contains("--config", "--node-id", "--data-dir", "docs/coordinator.md");
  }
}
