package io.tandem.coordinator.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.coordinator.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The process-level scenario of the README: three bin/tandem-coordinator processes on loopback,
 * bin/tandemctl creates a group, the leader's process is killed with SIGKILL, and tandemctl
 * status --json answers with a new leader and the same groups. Prints the time from the kill
 * to a new leader answering (the 2 s target is the benchmark's; the bound here is generous).
 * Mutual TLS, as shipped: peer certificates from {@link TestCerts}, tandemctl with an admin one.
 */
class LeaderKillProcessIT {
  private static final Duration START_BOUND = Duration.ofSeconds(90);
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path work;
  private ProcessFixture processes;
  private final List<Path> logs = new ArrayList<>();
  private String coordinators;
  private TestCerts certs;

  @AfterEach
  void cleanUp() {
    if (processes != null) {
      processes.close();
    }
    if (work != null) {
      ProcessFixture.deleteTree(work);
    }
  }

  @Test
  void killingTheLeaderLeavesANewLeaderWithTheSameGroups() throws Exception {
    work = Files.createTempDirectory("tandem-process-it-");
    processes = new ProcessFixture(work);
    certs = new TestCerts(work.resolve("certs"));
    List<Process> coordinatorProcesses = startCoordinators(3);

    JsonNode before = statusUntil("a leader", START_BOUND, s -> !s.get("leader").asText().isEmpty());
    assertThat(before.get("insecure").asBoolean()).as("mutual TLS, not plaintext: " + before).isFalse();
    ProcessFixture.Result created =
        ctl("group", "create", "line1", "--instance", "nr-a:2", "--instance", "nr-b:1");
    assertThat(created.exitCode()).as(created + logTails()).isZero();
    before = statusUntil("group line1 in the status", START_BOUND, s -> groupNames(s).contains("line1"));

    String leader = before.get("leader").asText();
    int leaderIndex = Integer.parseInt(leader.substring(1)) - 1;
    Process victim = coordinatorProcesses.get(leaderIndex);
    long killedAt = System.nanoTime();
    ProcessFixture.kill(victim); // SIGKILL: no leadership transfer
    assertThat(victim.isAlive()).isFalse();

    JsonNode after =
        statusUntil("a new leader answering with group line1", FAILOVER_BOUND, s -> {
          String l = s.get("leader").asText();
          return !l.isEmpty() && !l.equals(leader) && groupNames(s).contains("line1");
        });
    long millis = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.printf("kill -> new leader answering: %d ms (each tandemctl run includes a JVM start)%n", millis);

    assertThat(groupNames(after)).isEqualTo(groupNames(before));
    assertThat(group(after, "line1").get("token").asLong()).isEqualTo(group(before, "line1").get("token").asLong());
    assertThat(group(after, "line1").get("active").asText()).isEqualTo(group(before, "line1").get("active").asText());
    assertThat(after.get("term").asLong()).isGreaterThan(before.get("term").asLong());
    assertThat(millis).isLessThan(FAILOVER_BOUND.toMillis());

    // the new leader takes writes too
    ProcessFixture.Result write = ctl("group", "create", "line2", "--instance", "x");
    assertThat(write.exitCode()).as(write + logTails()).isZero();
  }

  private List<Process> startCoordinators(int n) throws Exception {
    List<Integer> ports = FreePorts.pick(2 * n);
    StringBuilder peers = new StringBuilder("peers:\n");
    List<String> grpc = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      peers.append(String.format("  - {id: c%d, raft: 127.0.0.1:%d, grpc: 127.0.0.1:%d}%n", i + 1, ports.get(2 * i), ports.get(2 * i + 1)));
      grpc.add("127.0.0.1:" + ports.get(2 * i + 1));
    }
    coordinators = String.join(",", grpc);
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "c" + (i + 1);
      Path config = work.resolve(id + ".yaml");
      Files.writeString(config, "nodeId: " + id + "\ndataDir: " + work.resolve(id + "-data") + "\n" + peers
          + certs.peerYaml(id));
      Path log = work.resolve(id + ".log");
      logs.add(log);
      started.add(processes.start(log, processes.script("tandem-coordinator").toString(), "--config", config.toString()));
    }
    return started;
  }

  private ProcessFixture.Result ctl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(processes.script("tandemctl").toString()));
    command.addAll(certs.adminArgs());
    command.addAll(List.of("--coordinators", coordinators));
    command.addAll(List.of(args));
    return processes.run(work, 60, command.toArray(String[]::new));
  }

  /** Polls tandemctl status --json until {@code condition} holds (bounded); returns that status. */
  private JsonNode statusUntil(String what, Duration bound, Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    ProcessFixture.Result last = null;
    while (System.nanoTime() < deadline) {
      last = ctl("--json", "status");
      if (last.exitCode() == 0) {
        JsonNode s = JSON.readTree(last.out());
        if (condition.test(s)) {
          return s;
        }
      } else {
        assertThat(last.exitCode()).as("only 'no coordinator answered' is expected while waiting: " + last).isEqualTo(2);
        assertThat(last.err().strip().lines()).as("one line on stderr: " + last).hasSize(1);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + what + " within " + bound.toSeconds() + " s; last tandemctl: " + last + logTails());
  }

  private static List<String> groupNames(JsonNode status) {
    List<String> names = new ArrayList<>();
    status.get("groups").forEach(g -> names.add(g.get("name").asText()));
    return names;
  }

  private static JsonNode group(JsonNode status, String name) {
    for (JsonNode g : status.get("groups")) {
      if (g.get("name").asText().equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no group " + name + " in " + status);
  }

  private String logTails() {
    StringBuilder b = new StringBuilder();
    for (Path log : logs) {
      try {
        List<String> lines = Files.readAllLines(log);
        b.append("\n--- ").append(log.getFileName()).append(" (last 30 lines)\n");
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> b.append(l).append('\n'));
      } catch (Exception e) {
        b.append("\n--- ").append(log.getFileName()).append(": ").append(e.getMessage());
      }
    }
    return b.toString();
  }
}
