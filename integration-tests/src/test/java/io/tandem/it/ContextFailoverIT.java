package io.tandem.it;

import static io.tandem.it.Safety.assertSafe;
import static io.tandem.it.Safety.assertSafeWithPauses;
import static io.tandem.it.Safety.awaitCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.it.flows.ContextCounterFlow;
import io.tandem.it.flows.EditorDeploy;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Tandemctl;
import io.tandem.it.harness.ProcessRegistry;
import io.tandem.it.harness.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Tandem context store across failovers, with real Node-RED and real coordinators: a flow
 * counts in global context (store tandem) every 10 ms and appends each value to a per-instance
 * file in the same synchronous step ({@link ContextCounterFlow}); those files are the witness of
 * what each active reached. The committed context (tandemctl context) is the witness of what was
 * committed.
 *
 * <p>The crash bound is derived, not guessed: the agent stays alive and commits every op it holds
 * before it reports the crash, so what is lost is only what the plugin in the killed runtime had
 * not yet delivered: the writes queued while its one POST was in flight. On loopback a POST takes
 * far less than the flush window (50 ms), so at most flushInterval / period = 5 increments are
 * queued, plus the one whose set and file line were both done in the tick the process died in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContextFailoverIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEADY = Duration.ofSeconds(60);
  private static final long FLUSH_MS = 50;
  private static final long CRASH_BOUND = FLUSH_MS / ContextCounterFlow.PERIOD_MILLIS + 1;
  private static LocalCluster cluster;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("tandem-ctx-it-");
    for (String i : List.of("a", "b")) {
      ContextCounterFlow.writeSettings(dir.resolve("agent-" + i).resolve("userdir"));
    }
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line1").withWorkDir(dir));
    AgentNode act = cluster.agent(cluster.activeInstance());
    JsonNode current = EditorDeploy.current(act.editorUrl(), Duration.ofSeconds(5));
    EditorDeploy.Answer a = EditorDeploy.post(act.editorUrl(), current.path("rev").asText(""),
        ContextCounterFlow.addTo(current, dir, false), Duration.ofSeconds(20));
    assertThat(a.deployed()).as(a.body()).isTrue();
    awaitCount(act.instance(), 0, 100);
  }

  /** The active and a standby from one view of the group (they may change between two reads). */
  private static AgentNode[] activeAndStandby() {
    io.tandem.proto.admin.GroupView g = cluster.group();
    String other = g.getInstancesList().stream().map(i -> i.getId()).filter(id -> !id.equals(g.getActive()))
        .findFirst().orElseThrow();
    return new AgentNode[] {cluster.agent(g.getActive()), cluster.agent(other)};
  }

  /** Tiny GET for the agent's /metrics. */
  private static final class Http {
    static String get(String url) throws Exception {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return r.body();
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Waits until {@code instance}'s witness file has {@code n} values after the first {@code from}. */
  private static List<Long> awaitCount(String instance, int from, int n) {
    Waits.until(instance + " counting in the tandem store", Duration.ofSeconds(30), Duration.ofMillis(20),
        () -> ContextCounterFlow.values(dir, instance).size() >= from + n ? java.util.Optional.of(true)
            : java.util.Optional.empty());
    return ContextCounterFlow.values(dir, instance);
  }

  private static void assertConsecutive(List<Long> values, String what) {
    for (int i = 1; i < values.size(); i++) {
      assertThat(values.get(i)).as("%s: value %d follows %d", what, i, values.get(i - 1))
          .isEqualTo(values.get(i - 1) + 1);
    }
  }

  @Test
  @Order(1)
  void afterACrashTheNewActiveContinuesFromTheLastCommittedValue() throws Exception {
    AgentNode[] pair = activeAndStandby();
    AgentNode old = pair[0];
    AgentNode next = pair[1];
    int nextMark = ContextCounterFlow.values(dir, next.instance()).size();
    awaitCount(old.instance(), ContextCounterFlow.values(dir, old.instance()).size(), 50);
    Faults.crashNodeRed(old);
    List<Long> after = awaitCount(next.instance(), nextMark, 50).subList(nextMark, nextMark + 50);
    List<Long> oldValues = ContextCounterFlow.values(dir, old.instance());
    long reached = oldValues.get(oldValues.size() - 1);
    long committed = after.get(0) - 1;
    long lost = reached - committed;
    System.out.printf("context crash: old active reached %d, new active continued from %d: %d increments"
        + " (%d ms of writes) lost; bound %d%n", reached, committed, lost,
        lost * ContextCounterFlow.PERIOD_MILLIS, CRASH_BOUND);
    assertThat(lost).as("increments lost on the crash").isBetween(-1L, CRASH_BOUND);
    assertConsecutive(after, "the new active's count");
    cluster.awaitSteady(STEADY);
    assertSafe(cluster);
  }

  @Test
  @Order(2)
  void afterAPlannedSwitchoverTheNewActiveContinuesFromExactlyTheLastValue() throws Exception {
    AgentNode[] pair = activeAndStandby();
    AgentNode old = pair[0];
    AgentNode target = pair[1];
    int targetMark = ContextCounterFlow.values(dir, target.instance()).size();
    awaitCount(old.instance(), ContextCounterFlow.values(dir, old.instance()).size(), 50);
    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), Duration.ofSeconds(60),
        "switchover", cluster.groupName(), "--to", target.instance());
    assertThat(r.exitCode()).as("tandemctl switchover:%n%s", r.output()).isZero();
    List<Long> after = awaitCount(target.instance(), targetMark, 20).subList(targetMark, targetMark + 20);
    List<Long> oldValues = ContextCounterFlow.values(dir, old.instance());
    long last = oldValues.get(oldValues.size() - 1);
    System.out.printf("context switchover: old active's last value %d, new active's first %d%n", last, after.get(0));
    assertThat(after.get(0)).as("the new active's first value after the switchover").isEqualTo(last + 1);
    assertConsecutive(after, "the new active's count");
    cluster.awaitSteady(STEADY);
    assertSafe(cluster);
  }

  /**
   * The host dies (the agent's JVM SIGKILLed, its Node-RED dies with it): what the agent had not
   * yet sent is lost. Its batch holds at most what arrived since its last flush started, which is
   * at most max(flushInterval, the last commit's latency) ago (a batch waits for the one in flight);
   * the batch in flight had reached the leader and commits; plus the plugin's unsent queue (one
   * increment, as in the crash). The bound uses the commit latency the agent measured itself.
   */
  @Test
  @Order(3)
  void whenTheHostDiesAtMostOneFlushWindowIsLost() throws Exception {
    AgentNode[] pair = activeAndStandby();
    AgentNode old = pair[0];
    AgentNode next = pair[1];
    int nextMark = ContextCounterFlow.values(dir, next.instance()).size();
    awaitCount(old.instance(), ContextCounterFlow.values(dir, old.instance()).size(), 50);
    double maxLatencyMs = Http.get(old.apiUrl() + "metrics").lines()
        .filter(l -> l.startsWith("tandem_context_flush_latency_seconds_max"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) * 1000).max().orElseThrow();
    long[] nodeRedPid = new long[1];
    Faults.killAgentJvm(old, nodeRedPid);
    List<Long> after = awaitCount(next.instance(), nextMark, 50).subList(nextMark, nextMark + 50);
    List<Long> oldValues = ContextCounterFlow.values(dir, old.instance());
    long reached = oldValues.get(oldValues.size() - 1);
    long lost = reached - (after.get(0) - 1);
    long bound = (long) Math.ceil(Math.max(FLUSH_MS, maxLatencyMs) / ContextCounterFlow.PERIOD_MILLIS) + 1;
    System.out.printf("context host death: old active reached %d, new active continued from %d: %d increments"
        + " (%d ms of writes) lost; bound %d (flush latency max %.1f ms)%n", reached, after.get(0) - 1, lost,
        lost * ContextCounterFlow.PERIOD_MILLIS, bound, maxLatencyMs);
    assertThat(lost).as("increments lost when the host died").isBetween(-1L, bound);
    assertConsecutive(after, "the new active's count");
    old.process().start();
    cluster.awaitSteady(STEADY);
    assertSafe(cluster);
  }

  @Test
  @Order(4) // last: the paused host's refused witness calls need assertSafeWithPauses from here on
  void aPausedOldActiveNeverCommitsAWrite() throws Exception {
    // one key per write from here on: the committed context then shows who wrote what
    AgentNode deployer = activeAndStandby()[0];
    JsonNode current = EditorDeploy.current(deployer.editorUrl(), Duration.ofSeconds(5));
    EditorDeploy.Answer deployed = EditorDeploy.post(deployer.editorUrl(), current.path("rev").asText(""),
        ContextCounterFlow.addTo(current, dir, true), Duration.ofSeconds(20));
    assertThat(deployed.deployed()).as(deployed.body()).isTrue();
    cluster.awaitSteady(STEADY);
    AgentNode[] pair = activeAndStandby();
    AgentNode old = pair[0];
    AgentNode next = pair[1];
    awaitCount(old.instance(), ContextCounterFlow.values(dir, old.instance()).size(), 20);
    long tokenBefore = cluster.group().getToken();
    int nextMark = ContextCounterFlow.values(dir, next.instance()).size();
    int witnessMark = cluster.witness().size();
    Faults.PausedHost paused = Faults.pauseHost(old);
    awaitCall(cluster, witnessMark, c -> c.accepted() && c.instance().equals(next.instance()), 20_000,
        "the standby's flows while " + old.instance() + " is paused");
    List<Long> taken = awaitCount(next.instance(), nextMark, 20);
    long base = taken.get(nextMark) - 1; // the committed value the new active started from
    int oldMark = ContextCounterFlow.values(dir, old.instance()).size();
    // Node-RED wakes first: its flows still run and its store still believes it is the writer, so
    // it counts on locally and sends the writes to its agent, which wakes only afterwards with
    // them in its batch under the stale token
    ProcessRegistry.signal(paused.nodeRedPid(), "CONT");
    Waits.until(old.instance() + "'s resumed flows counting under the stale token", Duration.ofSeconds(20),
        Duration.ofMillis(10), () -> ContextCounterFlow.values(dir, old.instance()).size() > oldMark + 2);
    ProcessRegistry.signal(paused.agentJvmPid(), "CONT");
    cluster.awaitSteady(Duration.ofSeconds(40));
    awaitCount(next.instance(), nextMark, 100);
    List<Long> oldAfter = ContextCounterFlow.values(dir, old.instance());
    System.out.printf("context pause: new active started from %d; the resumed old active counted %d more"
        + " values locally%n", base, oldAfter.size() - oldMark);
    assertThat(cluster.group().getActive()).isEqualTo(next.instance());
    assertThat(cluster.group().getToken()).isGreaterThan(tokenBefore);

    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), Duration.ofSeconds(30),
        "context", cluster.groupName(), "--scope", "global", "--json");
    assertThat(r.exitCode()).as(r.output()).isZero();
    JsonNode keys = JSON.readTree(r.output()).path("keys");
    String prefix = "w_" + old.instance() + "_";
    long committedByOld = 0;
    for (JsonNode k : keys) {
      String key = k.path("key").asText();
      if (key.startsWith(prefix)) {
        long n = Long.parseLong(key.substring(prefix.length()));
        assertThat(n).as("a write of %s committed after the takeover at %d", old.instance(), base)
            .isLessThanOrEqualTo(base);
        committedByOld++;
      }
    }
    assertThat(committedByOld).as("the old active's earlier writes are committed").isPositive();
    assertThat(oldAfter.size() - oldMark).as("values the resumed old active wrote under the stale token")
        .isGreaterThan(2);
    String metrics = Http.get(old.apiUrl() + "metrics");
    System.out.printf("context pause: the old agent's %s%n", metrics.lines()
        .filter(l -> l.startsWith("tandem_context_flushes_refused_total") || l.startsWith("tandem_context_ops_dropped_total"))
        .toList());
    assertSafeWithPauses(cluster);
  }
}
