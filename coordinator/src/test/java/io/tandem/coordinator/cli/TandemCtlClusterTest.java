package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.coordinator.testing.FakeAgent;
import io.tandem.coordinator.testing.MiniCluster;
import io.tandem.coordinator.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tandemctl against a real in-process three-node cluster (real Ratis, real gRPC). */
class TandemCtlClusterTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static MiniCluster cluster;
  private static final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniCluster.start(3);
    cluster.waitForLeader(LONG);
  }

  @AfterAll
  static void stopCluster() {
    background.shutdownNow();
    cluster.close();
  }

  /** tandemctl with a generous total timeout (a loaded CI machine). */
  private static CtlRun ctl(String... args) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10s"));
    all.addAll(List.of(args));
    return CtlRun.at(cluster.grpcAddresses(), all.toArray(String[]::new));
  }

  private static CtlRun ok(String... args) {
    CtlRun run = ctl(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
    return run;
  }

  private static JsonNode group(String name) {
    cluster.awaitCaughtUp(LONG); // reads may be answered by a follower
    return ok("group", "show", name, "--json").json();
  }

  @Test
  void statusShowsTheLeaderAndEveryPeer() {
    JsonNode s = ok("status", "--json").json();
    assertThat(s.get("leader").asText()).matches("c[123]");
    assertThat(s.get("term").asLong()).isPositive();
    assertThat(s.get("commitIndex").asLong()).isPositive();
    assertThat(s.get("peers")).hasSize(3);
    List<String> roles = new ArrayList<>();
    s.get("peers").forEach(p -> roles.add(p.get("role").asText()));
    assertThat(roles).containsOnlyOnce("LEADER");
    s.get("peers").forEach(p -> assertThat(p.get("address").asText()).startsWith("127.0.0.1:"));

    CtlRun table = ok("status");
    assertThat(table.outLines().get(0)).startsWith("leader c");
    assertThat(table.out()).contains("PEER  ROLE", "LEADER", "FOLLOWER");
  }

  @Test
  void groupLifecycleWithInstancesAndMaintenance() {
    ok("group", "create", "life", "--instance", "nr-a:10", "--instance", "nr-b", "--no-failover", "nr-b");
    JsonNode g = group("life");
    assertThat(g.get("active").asText()).isEmpty();
    assertThat(g.get("token").asLong()).isZero();
    assertThat(g.get("instances")).hasSize(2);
    assertThat(g.get("instances").get(0).get("priority").asInt()).isEqualTo(10);
    assertThat(g.get("instances").get(1).get("noFailover").asBoolean()).isTrue();

    CtlRun again = ctl("group", "create", "life", "--instance", "x");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
    assertThat(again.errLines()).hasSize(1);
    assertThat(again.err()).contains("already exists");

    ok("instance", "add", "life", "nr-c", "--priority", "5", "--host", "host-3");
    JsonNode c = group("life").get("instances").get(2);
    assertThat(c.get("id").asText()).isEqualTo("nr-c");
    assertThat(c.get("host").asText()).isEqualTo("host-3");
    ok("instance", "remove", "life", "nr-c");
    assertThat(group("life").get("instances")).hasSize(2);

    ok("maintenance", "on", "life");
    assertThat(group("life").get("maintenance").asBoolean()).isTrue();
    ok("maintenance", "off", "life");
    assertThat(group("life").get("maintenance").asBoolean()).isFalse();

    cluster.awaitCaughtUp(LONG);
    List<String> kinds = new ArrayList<>();
    ok("history", "life", "--json").json().get("transitions").forEach(t -> kinds.add(t.get("kind").asText()));
    assertThat(kinds)
        .containsSubsequence("GROUP_CREATED", "INSTANCE_ADDED", "INSTANCE_REMOVED", "MAINTENANCE_ON", "MAINTENANCE_OFF");
    assertThat(ok("history", "life", "--limit", "1", "--json").json().get("transitions")).hasSize(1);
    assertThat(ok("history", "life").out()).contains("INDEX", "MAINTENANCE_OFF");

    assertThat(ok("group", "list").out()).contains("life");
    ok("group", "delete", "life");
    cluster.awaitCaughtUp(LONG);
    CtlRun gone = ctl("group", "show", "life");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.errLines()).hasSize(1);
  }

  @Test
  void refusalsExitWith1AndOneLine() {
    CtlRun unknown = ctl("group", "show", "no-such-group");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.errLines()).hasSize(1);
    assertThat(unknown.err()).startsWith("tandemctl: ").contains("no-such-group").contains("(not found)");

    CtlRun invalid = ctl("group", "create", "bad name", "--instance", "a");
    assertThat(invalid.exitCode()).as(invalid.toString()).isEqualTo(1);
    assertThat(invalid.errLines()).hasSize(1);
    assertThat(invalid.err()).contains("(invalid argument)");

    CtlRun history = ctl("history", "no-such-group");
    assertThat(history.exitCode()).isEqualTo(1);
    CtlRun watch = ctl("watch", "no-such-group");
    assertThat(watch.exitCode()).isEqualTo(1);
  }

  @Test
  void switchoverMovesTheActiveToTheNamedStandby() throws Exception {
    ok("group", "create", "sw", "--instance", "a:2", "--instance", "b:1");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "sw", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "sw", "b").start(100)) {
      Waits.until("an active instance in group sw", LONG, () -> a.runningToken() > 0 || b.runningToken() > 0);
      FakeAgent from = a.runningToken() > 0 ? a : b;
      FakeAgent to = from == a ? b : a;
      long before = group("sw").get("token").asLong();
      Waits.until("a ready standby", LONG, () -> group("sw").get("standbysReady").asInt() > 0);

      CtlRun run = ok("switchover", "sw", "--to", to.instance(), "--wait-timeout", "20s", "--json");
      JsonNode r = run.json();
      assertThat(r.get("from").asText()).isEqualTo(from.instance());
      assertThat(r.get("to").asText()).isEqualTo(to.instance());
      assertThat(r.get("token").asLong()).isGreaterThan(before);
      JsonNode g = group("sw");
      assertThat(g.get("active").asText()).isEqualTo(to.instance());
      assertThat(g.get("token").asLong()).isEqualTo(r.get("token").asLong());
    }
  }

  @Test
  void watchPrintsCommittedTransitions() throws Exception {
    ok("group", "create", "watched", "--instance", "a");
    CompletableFuture<CtlRun> watch = CompletableFuture.supplyAsync(() -> ctl("watch", "watched", "--count", "2", "--json"), background);
    // the watch starts from "now": write until it has seen both (it may start after the first)
    Waits.until("the watch to print two transitions", LONG, () -> {
      ok("maintenance", "on", "watched");
      ok("maintenance", "off", "watched");
      return watch.isDone() || sleepThenDone(watch);
    });
    CtlRun run = watch.get(30, TimeUnit.SECONDS);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).hasSize(2);
    long previous = 0;
    for (String line : run.outLines()) {
      JsonNode t = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      assertThat(t.get("group").asText()).isEqualTo("watched");
      assertThat(t.get("kind").asText()).startsWith("MAINTENANCE_");
      assertThat(t.get("index").asLong()).isGreaterThan(previous);
      previous = t.get("index").asLong();
    }
  }

  @Test
  void flowsImportHistoryExportRollback(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ok("group", "create", "fl", "--instance", "a:2", "--instance", "b:1");
    java.nio.file.Path v1 = dir.resolve("flows.json");
    java.nio.file.Path creds = dir.resolve("flows_cred.json");
    String first = "[{\"id\":\"t1\",\"type\":\"tab\",\"label\":\"Flöw 1\"}]\n";
    java.nio.file.Files.writeString(v1, first);
    java.nio.file.Files.writeString(creds, "{\"$\":\"abcdef\"}");
    try (FakeAgent a = new FakeAgent(cluster.grpcAddresses(), "fl", "a").start(100);
        FakeAgent b = new FakeAgent(cluster.grpcAddresses(), "fl", "b").start(100)) {
      long r1 = ok("flows", "import", "fl", v1.toString(), "--credentials", creds.toString(), "--json")
          .json().get("revision").asLong();
      assertThat(r1).isPositive();
      Waits.until("both loaded it", LONG, () -> a.loadedRevision() == r1 && b.loadedRevision() == r1);

      // A second import without --force is refused and names the current revision.
      CtlRun again = ctl("flows", "import", "fl", v1.toString());
      assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
      assertThat(again.err()).contains("already has flows revision " + r1 + " (deployed by tandemctl import at ")
          .contains("--force");
      java.nio.file.Path v2 = dir.resolve("v2.json");
      java.nio.file.Files.writeString(v2, "[]");
      long r2 = ok("flows", "import", "fl", v2.toString(), "--force", "--json").json().get("revision").asLong();
      assertThat(r2).isGreaterThan(r1);

      cluster.awaitCaughtUp(LONG);
      JsonNode h = ok("flows", "history", "fl", "--json").json();
      assertThat(h.get("currentRevision").asLong()).isEqualTo(r2);
      assertThat(h.get("revisions")).hasSize(2);
      assertThat(h.get("revisions").get(0).get("digest").asText()).startsWith("sha256:");
      assertThat(h.get("revisions").get(0).get("sizeBytes").asLong())
          .isEqualTo(first.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "{\"$\":\"abcdef\"}".length());
      assertThat(ok("flows", "history", "fl").out()).contains("REVISION", "DEPLOYED BY", "tandemctl import", "current");

      // Export writes the flows exactly; --credentials writes the credentials file.
      java.nio.file.Path credsOut = dir.resolve("out_cred.json");
      assertThat(ok("flows", "export", "fl", "--revision", String.valueOf(r1), "--credentials", credsOut.toString()).out())
          .isEqualTo(first);
      assertThat(java.nio.file.Files.readString(credsOut)).isEqualTo("{\"$\":\"abcdef\"}");
      assertThat(ok("flows", "export", "fl").out()).isEqualTo("[]");
      assertThat(ok("flows", "export", "fl", "--json").json().get("revision").asLong()).isEqualTo(r2);

      // Rollback commits revision 1 again under a new number; the agents load it.
      JsonNode rb = ok("flows", "rollback", "fl", "--to", String.valueOf(r1), "--json").json();
      long r3 = rb.get("revision").asLong();
      assertThat(r3).isGreaterThan(r2);
      Waits.until("both loaded the rollback", LONG, () -> a.loadedRevision() == r3 && b.loadedRevision() == r3);
      cluster.awaitCaughtUp(LONG);
      assertThat(ok("flows", "export", "fl").out()).isEqualTo(first);
      assertThat(ok("flows", "history", "fl", "--json").json().get("revisions").get(2).get("rollbackOf").asLong())
          .isEqualTo(r1);
      CtlRun gone = ctl("flows", "rollback", "fl", "--to", "1");
      assertThat(gone.exitCode()).isEqualTo(1);
      assertThat(gone.err()).contains("revision 1 of group \"fl\" is not kept");

      // status shows the group's revision and each instance's loaded one.
      Waits.until("status shows the revision", LONG, () -> ok("status").outLines().stream()
          .anyMatch(l -> l.matches("fl\\s+[ab] \\*\\s+\\S+\\s+active\\s+" + r3)));
      assertThat(group("fl").get("currentRevision").asLong()).isEqualTo(r3);
    }
    CtlRun missing = ctl("flows", "import", "fl", dir.resolve("nope.json").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read");
    CtlRun none = ctl("flows", "export", "no-such-group");
    assertThat(none.exitCode()).isEqualTo(1);
  }

  private static boolean sleepThenDone(CompletableFuture<?> f) {
    Waits.sleep(500);
    return f.isDone();
  }
}
