package io.tandem.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one process-level case that is about plaintext: a coordinator with tls: {insecure: true}
 * warns at start, says so in tandemctl status (text and JSON), and serves tandemctl --insecure.
 * Every other process test runs with mutual TLS.
 */
class PlaintextProcessIT {
  private static final Duration START_BOUND = Duration.ofSeconds(90);

  private Path work;
  private CoordinatorProcesses cluster;

  @AfterEach
  void cleanUp() {
    if (cluster != null) {
      cluster.close();
    }
    if (work != null) {
      ProcessFixture.deleteTree(work);
    }
  }

  @Test
  void aPlaintextCoordinatorWarnsAtStartAndInStatus() throws Exception {
    work = Files.createTempDirectory("tandem-plaintext-it-");
    cluster = CoordinatorProcesses.plaintext(work, 1);
    assertThat(cluster.tlsArgs()).containsExactly("--insecure");
    assertThat(Files.readString(cluster.config(0))).contains("tls: {insecure: true}");
    cluster.startAll();

    JsonNode s = cluster.statusUntil(cluster.allGrpc(), "a leader", START_BOUND,
        j -> !j.get("leader").asText().isEmpty());
    assertThat(s.get("insecure").asBoolean()).as(s.toString()).isTrue();
    cluster.logUntil(0, "tls.insecure is set: the Raft and gRPC ports are plaintext", Duration.ofSeconds(10));

    ProcessFixture.Result text = cluster.ctl("status");
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out()).contains("warning: c1 runs with tls.insecure: plaintext");

    cluster.ctlWrite(START_BOUND, "group", "create", "plain", "--instance", "x");
    cluster.statusUntil(cluster.allGrpc(), "group plain", START_BOUND,
        j -> CoordinatorProcesses.groupNames(j).contains("plain"));
  }
}
