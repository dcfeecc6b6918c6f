package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.fault.Direction;
import io.tandem.it.fault.Fault;
import io.tandem.it.fault.FaultKind;
import io.tandem.it.fault.NemesisRunner.Outcome;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosCheckerTest {
  private static final long S = 1_000_000_000L;
  private final ChaosChecker checker =
      new ChaosChecker(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(4));
  private final List<WitnessCall> calls = new ArrayList<>();

  /** Calls of {@code instance} with {@code token} every 100 ms in [from, to) seconds. */
  private void run(String instance, long token, double from, double to, boolean accepted) {
    for (long t = (long) (from * S); t < (long) (to * S); t += S / 10) {
      calls.add(new WitnessCall(calls.size(), t, 0, instance, token, accepted));
    }
    calls.sort(java.util.Comparator.comparingLong(WitnessCall::nanos));
    for (int i = 0; i < calls.size(); i++) {
      WitnessCall c = calls.get(i);
      calls.set(i, new WitnessCall(i, c.nanos(), 0, c.instance(), c.token(), c.accepted()));
    }
  }

  private static Outcome fault(FaultKind kind, double at, double healedAt) {
    Fault f = new Fault(1, Duration.ZERO, kind, "a", Duration.ofMillis((long) ((healedAt - at) * 1000)),
        Duration.ZERO, kind == FaultKind.AGENT_ONE_WAY ? Direction.CLIENT_TO_SERVER : null);
    return new Outcome(f, "a", (long) (at * S), (long) (healedAt * S), null);
  }

  private static Transition activated(String instance, long token) {
    return Transition.newBuilder().setIndex(token).setKind(TransitionKind.ACTIVATED).setToInstance(instance)
        .setToken(token).build();
  }

  /** Health samples every 250 ms over the 60 s run: a and b healthy except in [from, to) seconds. */
  private static List<HealthSampler.Sample> health(double unhealthyFrom, double unhealthyTo) {
    List<HealthSampler.Sample> out = new ArrayList<>();
    for (long t = 0; t <= 60 * S; t += S / 4) {
      boolean down = t >= unhealthyFrom * S && t < unhealthyTo * S;
      out.add(new HealthSampler.Sample(t, down ? java.util.Set.of() : java.util.Set.of("a", "b")));
    }
    return out;
  }

  private List<Finding> check(List<Outcome> outcomes, List<Transition> before, List<Transition> after) {
    return checker.check(calls, outcomes, health(0, 0), 0, 60 * S, before, after);
  }

  @Test
  void aCleanFailoverHasNoFinding() {
    run("a", 5, 0, 30, true);
    run("b", 9, 31, 60, true);
    List<Transition> h = List.of(activated("a", 5), activated("b", 9));
    assertThat(check(List.of(fault(FaultKind.AGENT_PARTITION, 29, 35)), h, h)).isEmpty();
  }

  @Test
  void refusedCallsOverlappingAnotherActiveBreakNoOverlapOutsidePauses() {
    run("a", 5, 0, 32, true);
    calls.removeIf(c -> c.nanos() >= 31 * S);
    run("a", 5, 31, 32, false); // a keeps running after b took over, refused by the witness
    run("b", 9, 31, 60, true);
    List<Transition> h = List.of(activated("a", 5), activated("b", 9));
    List<Finding> f = check(List.of(fault(FaultKind.AGENT_PARTITION, 28, 36)), h, h);
    assertThat(f).extracting(Finding::property).containsExactly("no-overlap");
  }

  @Test
  void theSameOverlapIsExcusedAroundAnAgentPause() {
    run("a", 5, 0, 32, true);
    calls.removeIf(c -> c.nanos() >= 31 * S);
    run("a", 5, 31, 32, false);
    run("b", 9, 31, 60, true);
    List<Transition> h = List.of(activated("a", 5), activated("b", 9));
    assertThat(check(List.of(fault(FaultKind.PAUSE_AGENT, 28, 30)), h, h)).isEmpty();
  }

  @Test
  void anAcceptedLowerTokenBreaksFencingEvenUnderPauses() {
    run("b", 9, 0, 60, true);
    run("a", 5, 40, 40.05, true); // a stale writer accepted: the witness must never do this
    List<Transition> h = List.of(activated("a", 5), activated("b", 9));
    List<Finding> f = check(List.of(fault(FaultKind.PAUSE_NODE_RED, 30, 35)), h, h);
    assertThat(f).extracting(Finding::property).contains("fencing");
    assertThat(f.stream().filter(x -> x.property().equals("fencing")).findFirst().orElseThrow().lines())
        .anyMatch(l -> l.contains(" a 5 ACCEPT"));
  }

  @Test
  void anActivationMissingAfterTheRestartIsLost() {
    run("a", 5, 0, 60, true);
    List<Finding> f = check(List.of(), List.of(activated("a", 5), activated("b", 9)), List.of(activated("a", 5)));
    assertThat(f).extracting(Finding::property).containsExactly("durable");
    assertThat(f.get(0).message()).contains("token 9");
  }

  @Test
  void anAcceptedTokenThatWasNeverCommittedIsFound() {
    run("a", 5, 0, 60, true);
    List<Transition> h = List.of(activated("b", 5));
    List<Finding> f = check(List.of(), h, h);
    assertThat(f).extracting(Finding::property).containsExactly("durable");
    assertThat(f.get(0).message()).contains("activation of b");
  }

  @Test
  void noActiveLongAfterTheLastHealBreaksLiveness() {
    run("a", 5, 0, 20, true);
    List<Transition> h = List.of(activated("a", 5));
    List<Finding> f = check(List.of(fault(FaultKind.KILL_NODE_RED, 20, 20)), h, h);
    assertThat(f).extracting(Finding::property).containsExactly("liveness");
    assertThat(f.get(0).message()).contains("from 20.0 s to 60.0 s").contains("healthy since 20.0 s");
  }

  @Test
  void outagesDuringFaultsOrShorterThanTheRecoveryTimeAreAllowed() {
    run("a", 5, 0, 10, true);
    run("b", 9, 13.5, 30, true); // 3.5 s without an active after a fault-free moment: allowed (< 4 s)
    run("b", 9, 40, 60, true); // 10 s without during a leader isolation and 3 s after its heal
    List<Transition> h = List.of(activated("a", 5), activated("b", 9));
    assertThat(check(List.of(fault(FaultKind.ISOLATE_LEADER, 30, 37)), h, h)).isEmpty();
  }

  @Test
  void noInstanceHealthyMeansNothingIsOwed() {
    run("a", 5, 0, 20, true);
    run("a", 5, 45, 60, true);
    List<Transition> h = List.of(activated("a", 5));
    // both agents unhealthy from 18 to 42 s: the gap 20..45 s is not a liveness violation
    assertThat(checker.check(calls, List.of(), health(18, 42), 0, 60 * S, h, h)).isEmpty();
  }

  private static Transition deployed(long revision) {
    return Transition.newBuilder().setIndex(revision).setKind(TransitionKind.FLOWS_DEPLOYED).build();
  }

  /** Revisions 3 (the first import, no marker), 6, 8, 12 and 17 (deploys), activations between them. */
  private static final List<Transition> DEPLOYS_AND_ACTIVATIONS = List.of(deployed(3), activated("a", 4),
      deployed(6), deployed(8), activated("b", 10), deployed(12), activated("a", 14), activated("b", 16), deployed(17));
  private static final java.util.Map<Long, String> MARKERS = java.util.Map.of(3L, "", 6L, "chaos-deploy-1",
      8L, "chaos-deploy-2", 12L, "chaos-deploy-3", 17L, "chaos-deploy-4");

  /** The real witness, fed the first calls of each activation with the flows marker they name. */
  private static java.util.Map<String, String> witnessed(java.nio.file.Path dir, String... instanceTokenFlows) {
    try (io.tandem.it.witness.Witness w = new io.tandem.it.witness.Witness(dir.resolve("witness.log"), true)) {
      for (int i = 0; i < instanceTokenFlows.length; i += 3) {
        w.decide(instanceTokenFlows[i], Long.parseLong(instanceTokenFlows[i + 1]), instanceTokenFlows[i + 2]);
        w.decide(instanceTokenFlows[i], Long.parseLong(instanceTokenFlows[i + 1]), "later-calls-do-not-count");
      }
      return w.flowsAtActivation();
    }
  }

  @Test
  void activationsThatStartWithTheCurrentRevisionOrALaterOneAreFine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // b@16 starts with revision 17, deployed through it right after its activation: allowed
    java.util.Map<String, String> ran = witnessed(dir, "a", "4", "", "b", "10", "chaos-deploy-2",
        "a", "14", "chaos-deploy-3", "b", "16", "chaos-deploy-4");
    ChaosChecker.RevisionCheck r = checker.checkRevisions(DEPLOYS_AND_ACTIVATIONS, MARKERS, ran);
    assertThat(r.findings()).isEmpty();
    assertThat(r.checked()).isEqualTo(4);
  }

  @Test
  void anActivationThatStartsWithAReplacedRevisionBreaksRevision(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // b@10 starts with revision 6, which revision 8 replaced before b was activated
    java.util.Map<String, String> ran = witnessed(dir, "a", "4", "", "b", "10", "chaos-deploy-1",
        "a", "14", "chaos-deploy-3", "b", "16", "chaos-deploy-3");
    List<Finding> f = checker.revisions(DEPLOYS_AND_ACTIVATIONS, MARKERS, ran);
    assertThat(f).extracting(Finding::property).containsExactly("revision");
    assertThat(f.get(0).message()).contains("activation of b with token 10", "\"chaos-deploy-1\" (revision 6)",
        "current revision at its activation was 8");
  }

  @Test
  void anActivationThatStartsWithItsOwnLocalFlowsAfterADeployBreaksRevision(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // a@14 runs flows without a marker: its userDir's first flows, not the group's revision 12
    java.util.Map<String, String> ran = witnessed(dir, "a", "14", "");
    List<Finding> f = checker.revisions(DEPLOYS_AND_ACTIVATIONS, MARKERS, ran);
    // the others were never accepted by the witness, and one whose revision is no longer kept is skipped
    assertThat(checker.checkRevisions(DEPLOYS_AND_ACTIVATIONS, java.util.Map.of(3L, ""), witnessed(dir, "b", "10", "x"))
        .checked()).isZero();
    assertThat(f).extracting(Finding::message).singleElement().asString()
        .contains("token 14", "without a marker", "was 12");
  }
}
