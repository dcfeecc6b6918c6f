package io.tandem.it;

import static io.tandem.it.Safety.assertSafeWithPauses;
import static io.tandem.it.Safety.awaitCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.it.flows.EditorDeploy;
import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.ClusterSpec;
import io.tandem.it.harness.Faults;
import io.tandem.it.harness.LocalCluster;
import io.tandem.it.harness.Tandemctl;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.admin.GroupView;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deploy through a stale active: the active's host (agent JVM and Node-RED) is paused with
 * SIGSTOP past its lease, the standby takes over, the host is resumed and at once the old active's
 * editor deploys changed flows. Whatever the resumed agent does first (its lease timer fires and it
 * stops the flows, or the deploy reaches the coordinators before), the deploy carries the old token:
 * the editor gets an error and no revision is ever committed from it.
 */
class StaleActiveDeployIT {
  private static final Duration CTL = Duration.ofSeconds(30);
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void deployThroughAResumedStaleActiveIsRefusedAndNothingIsCommitted() throws Exception {
    cluster = LocalCluster.start(ClusterSpec.forCi(List.of("a", "b")).withGroup("line1"));
    AgentNode old = cluster.agent(cluster.activeInstance());
    AgentNode next = cluster.standby().orElseThrow();
    GroupView before = cluster.group();
    String historyBefore = history();
    String marker = "stale-deploy-from-" + old.instance();
    JsonNode editorFlows = EditorDeploy.current(old.editorUrl(), Duration.ofSeconds(5));

    int mark = cluster.witness().size();
    Faults.PausedHost paused = Faults.pauseHost(old);
    WitnessCall takeover = awaitCall(cluster, mark, c -> c.accepted() && c.instance().equals(next.instance()),
        20_000, "the standby's first accepted call while " + old.instance() + " is paused");
    assertThat(takeover.token()).isGreaterThan(before.getToken());

    int resumedAt = cluster.witness().size();
    paused.resume();
    EditorDeploy.Answer answer;
    String outcome;
    try {
      answer = EditorDeploy.post(old.editorUrl(), editorFlows.path("rev").asText(""),
          EditorDeploy.withMarker(editorFlows, marker), Duration.ofSeconds(20));
      outcome = "HTTP " + answer.status() + ": " + answer.message();
    } catch (IOException e) {
      answer = null;
      outcome = "no answer (" + e + ")";
    }
    System.out.printf("stale deploy: %s%n", outcome);

    // The editor is told the deploy failed, in words.
    assertThat(answer).as("the stale editor's answer: %s", outcome).isNotNull();
    assertThat(answer.status()).as(outcome).isGreaterThanOrEqualTo(400);
    assertThat(answer.message()).as(outcome).containsIgnoringCase("deploy").doesNotStartWith("{");

    // The old host settles as a standby; then nothing it deployed was committed, ever.
    cluster.awaitSteady(Duration.ofSeconds(40));
    GroupView after = cluster.group();
    assertThat(after.getActive()).isEqualTo(next.instance());
    assertThat(after.getToken()).isEqualTo(takeover.token());
    assertThat(after.getCurrentRevision()).isEqualTo(before.getCurrentRevision());
    assertThat(history()).isEqualTo(historyBefore);
    Tandemctl.Result export = Tandemctl.run(cluster.coordinatorsCsv(), CTL, "flows", "export", cluster.groupName());
    assertThat(export.exitCode()).as(export.output()).isZero();
    assertThat(export.output()).doesNotContain(marker).doesNotContain(EditorDeploy.MARKER_TAB);
    assertThat(after.getInstancesList()).allSatisfy(i ->
        assertThat(i.getLoadedRevision()).as("%s's loaded revision", i.getId()).isEqualTo(before.getCurrentRevision()));

    // The new active kept running its flows across the resume, and the old one's never ran again.
    awaitCall(cluster, resumedAt, c -> c.accepted() && c.instance().equals(next.instance()) && c.token() == takeover.token(),
        5_000, "the new active's flows still running after the resume");
    assertThat(cluster.witness().calls().subList(resumedAt, cluster.witness().size()))
        .noneMatch(c -> c.accepted() && c.instance().equals(old.instance()));
    assertSafeWithPauses(cluster); // the paused host's refused calls after SIGCONT are fenced, not an overlap
  }

  private String history() {
    Tandemctl.Result r = Tandemctl.run(cluster.coordinatorsCsv(), CTL, "flows", "history", cluster.groupName());
    assertThat(r.exitCode()).as("tandemctl flows history:%n%s", r.output()).isZero();
    return r.output();
  }
}
