package io.tandem.it.chaos;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.check.Violation;
import io.tandem.it.fault.FaultKind;
import io.tandem.it.fault.NemesisRunner.Outcome;
import io.tandem.it.witness.WitnessCall;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The safety and liveness properties of a chaos run (issues 5 and 9), over the witness history, the
 * faults as they were injected and the group's history before and after a restart of every
 * coordinator:
 *
 * <ol>
 *   <li>{@code no-overlap}: activity intervals of different instances never overlap, refused calls
 *       counted ({@link HistoryChecker.Mode#STRICT}), except around a pause of an agent or a
 *       Node-RED (from the pause until lease + stop budget + 1 s after it ended), where a lease alone
 *       cannot protect and the fencing token must;
 *   <li>{@code fencing}: under every fault, pauses included, the witness never accepts a token lower
 *       than one it accepted, and accepted activations never overlap
 *       ({@link HistoryChecker.Mode#PAUSES});
 *   <li>{@code durable}: every activation committed before the coordinators restarted is still in
 *       their history afterwards, and every token the witness accepted is a committed activation
 *       of that instance;
 *   <li>{@code liveness}: once no fault has been active for {@code recovery} and some instance has
 *       been healthy (its agent says active or ready standby) for {@code recovery}, the witness
 *       accepts calls at least once every {@code recovery}: some instance is active;
 *   <li>{@code revision} (checked by {@link #revisions}): every activation starts with the group's
 *       flows revision current at its activation (or one committed after it), never with flows a
 *       later deploy had replaced before it: the first call the witness accepted from it names the
 *       marker of those flows.
 *   <li>{@code context} (checked by {@link #contextCounter}): the committed context, sampled during
 *       the run and once after the coordinators restarted, never goes backwards: its version never
 *       decreases, and the counter the flows keep in it ({@link ChaosCounterFlow}: a get-then-set
 *       that never deletes) never decreases or disappears; and it advanced during the run.
 * </ol>
 */
public final class ChaosChecker {
  private final Duration lease;
  private final Duration stopBudget;
  private final Duration recovery;

  /**
   * @param recovery how long the cluster may go without an active once conditions allow one
   *                 (lease + election time, with a margin)
   */
  public ChaosChecker(Duration lease, Duration stopBudget, Duration recovery) {
    this.lease = lease;
    this.stopBudget = stopBudget;
    this.recovery = recovery;
  }

  public List<Finding> check(List<WitnessCall> calls, List<Outcome> outcomes, List<HealthSampler.Sample> health,
      long runStart, long runEnd, List<Transition> before, List<Transition> after) {
    Set<Finding> out = new LinkedHashSet<>();
    out.addAll(noOverlap(calls, outcomes));
    out.addAll(fencing(calls));
    out.addAll(durable(calls, before, after));
    out.addAll(liveness(calls, outcomes, health, runStart, runEnd));
    return List.copyOf(out);
  }

  List<Finding> noOverlap(List<WitnessCall> calls, List<Outcome> outcomes) {
    long excuse = lease.plus(stopBudget).plusSeconds(1).toNanos();
    List<long[]> excused = outcomes.stream()
        .filter(o -> o.injected() && (o.fault().kind() == FaultKind.PAUSE_AGENT || o.fault().kind() == FaultKind.PAUSE_NODE_RED))
        .map(o -> new long[] {o.injectedAt(), o.healedAt() + excuse})
        .toList();
    List<WitnessCall> counted = calls.stream()
        .filter(c -> excused.stream().noneMatch(w -> c.nanos() >= w[0] && c.nanos() <= w[1]))
        .toList();
    return findings("no-overlap", HistoryChecker.check(counted, HistoryChecker.Mode.STRICT));
  }

  List<Finding> fencing(List<WitnessCall> calls) {
    return findings("fencing", HistoryChecker.check(calls, HistoryChecker.Mode.PAUSES));
  }

  private static List<Finding> findings(String property, Verdict v) {
    List<Finding> out = new ArrayList<>();
    for (Violation x : v.violations()) {
      out.add(new Finding(property, x.kind() + ": " + x.message(), x.lines()));
    }
    return out;
  }

  List<Finding> durable(List<WitnessCall> calls, List<Transition> before, List<Transition> after) {
    List<Finding> out = new ArrayList<>();
    List<Transition> afterActs = activations(after);
    long oldestKept = after.isEmpty() ? Long.MAX_VALUE : after.get(0).getIndex();
    Set<String> kept = afterActs.stream().map(ChaosChecker::key).collect(Collectors.toSet());
    for (Transition t : activations(before)) {
      if (t.getIndex() >= oldestKept && !kept.contains(key(t))) {
        out.add(new Finding("durable", "activation of " + t.getToInstance() + " with token " + t.getToken()
            + " (log index " + t.getIndex() + ") was lost by the restart", List.of(t.toString().strip())));
      }
    }
    long oldestToken = afterActs.isEmpty() ? Long.MAX_VALUE : afterActs.get(0).getToken();
    Map<Long, String> committed = afterActs.stream()
        .collect(Collectors.toMap(Transition::getToken, Transition::getToInstance, (a, b) -> a));
    Set<String> reported = new LinkedHashSet<>();
    for (WitnessCall c : calls) {
      if (!c.accepted() || c.token() < oldestToken || !reported.add(c.instance() + "@" + c.token())) {
        continue;
      }
      String owner = committed.get(c.token());
      if (!c.instance().equals(owner)) {
        out.add(new Finding("durable", "the witness accepted " + c.instance() + " with token " + c.token()
            + ", which is " + (owner == null ? "no committed activation" : "the activation of " + owner),
            List.of(c.toLine())));
      }
    }
    return out;
  }

  /**
   * The {@code revision} property. {@code history} holds ACTIVATED and FLOWS_DEPLOYED transitions
   * (a revision is the log index of its FLOWS_DEPLOYED); {@code markerOfRevision} the marker of each
   * kept revision's flows ("" for flows without one); {@code flowsAtActivation} the marker each
   * accepted activation ("instance@token") named in its first accepted call. An activation the
   * witness never accepted, one before the group's first revision and one whose current revision
   * is no longer kept are not checked.
   */
  List<Finding> revisions(List<Transition> history, Map<Long, String> markerOfRevision,
      Map<String, String> flowsAtActivation) {
    return checkRevisions(history, markerOfRevision, flowsAtActivation).findings();
  }

  /** What {@link #revisions} found, and over how many activations (the ones it could check). */
  record RevisionCheck(int checked, List<Finding> findings) {}

  RevisionCheck checkRevisions(List<Transition> history, Map<Long, String> markerOfRevision,
      Map<String, String> flowsAtActivation) {
    List<Transition> sorted = history.stream().sorted(java.util.Comparator.comparingLong(Transition::getIndex)).toList();
    List<Long> deploys = sorted.stream().filter(t -> t.getKind() == TransitionKind.FLOWS_DEPLOYED)
        .map(Transition::getIndex).toList();
    List<Finding> out = new ArrayList<>();
    int checked = 0;
    for (Transition a : activations(sorted)) {
      String ran = flowsAtActivation.get(key(a));
      long current = deploys.stream().filter(r -> r < a.getIndex()).mapToLong(Long::longValue).max().orElse(0);
      String expected = markerOfRevision.get(current);
      if (ran == null || current == 0 || expected == null) {
        continue;
      }
      checked++;
      Set<String> allowed = new LinkedHashSet<>(List.of(expected));
      deploys.stream().filter(r -> r > a.getIndex()).map(markerOfRevision::get).filter(java.util.Objects::nonNull)
          .forEach(allowed::add);
      if (!allowed.contains(ran)) {
        String ranRevisions = markerOfRevision.entrySet().stream().filter(e -> e.getValue().equals(ran))
            .map(e -> String.valueOf(e.getKey())).sorted().collect(Collectors.joining(", "));
        out.add(new Finding("revision", "activation of " + a.getToInstance() + " with token " + a.getToken()
            + " (log index " + a.getIndex() + ") started with flows " + describe(ran)
            + (ranRevisions.isEmpty() ? " (no kept revision)" : " (revision " + ranRevisions + ")")
            + ", but the group's current revision at its activation was " + current + " (flows "
            + describe(expected) + ")", List.of(a.toString().strip())));
      }
    }
    return new RevisionCheck(checked, out);
  }

  /**
   * The {@code context} property over {@code samples} of the committed context in real-time order
   * (times in the findings are seconds since {@code runStart}). Each step from one sample to the
   * next that lowers the version, or lowers or removes the counter, is one finding; so is a last
   * sample whose counter is not above the first one's (or absent), and no sample at all.
   */
  List<Finding> contextCounter(List<ContextSampler.Sample> samples, long runStart) {
    List<Finding> out = new ArrayList<>();
    if (samples.isEmpty()) {
      out.add(new Finding("context", "no reading of the committed context succeeded during the run", List.of()));
      return out;
    }
    for (int i = 1; i < samples.size(); i++) {
      ContextSampler.Sample prev = samples.get(i - 1);
      ContextSampler.Sample s = samples.get(i);
      List<String> lines = List.of(line(prev, runStart), line(s, runStart));
      if (s.version() < prev.version()) {
        out.add(new Finding("context", "the committed context version went back from " + prev.version()
            + " to " + s.version(), lines));
      }
      if (prev.counter() != null && (s.counter() == null || s.counter() < prev.counter())) {
        out.add(new Finding("context", "the committed counter " + ChaosCounterFlow.SCOPE + "/" + ChaosCounterFlow.KEY
            + " went back from " + prev.counter() + " to " + (s.counter() == null ? "absent" : s.counter())
            + " (the flow never deletes it)", lines));
      }
    }
    ContextSampler.Sample first = samples.get(0);
    ContextSampler.Sample last = samples.get(samples.size() - 1);
    if (last.counter() == null || (first.counter() != null && last.counter() <= first.counter())) {
      out.add(new Finding("context", "the committed counter did not advance during the run: first sample "
          + first.counter() + ", last " + last.counter() + " (" + samples.size() + " samples)",
          List.of(line(first, runStart), line(last, runStart))));
    }
    return out;
  }

  private static String line(ContextSampler.Sample s, long runStart) {
    return String.format(java.util.Locale.ROOT, "%.3f s: version %d, counter %s", (s.nanos() - runStart) / 1e9,
        s.version(), s.counter() == null ? "absent" : s.counter().toString());
  }

  private static String describe(String marker) {
    return marker.isEmpty() ? "without a marker" : "\"" + marker + "\"";
  }

  private static List<Transition> activations(List<Transition> history) {
    return history.stream().filter(t -> t.getKind() == TransitionKind.ACTIVATED).toList();
  }

  private static String key(Transition t) {
    return t.getToInstance() + "@" + t.getToken();
  }

  /**
   * At every health sample that is fault-free for {@code recovery} and at which some instance has
   * been healthy for {@code recovery}, the witness must have accepted a call in the last
   * {@code recovery}. Consecutive failing samples make one finding.
   */
  List<Finding> liveness(List<WitnessCall> calls, List<Outcome> outcomes, List<HealthSampler.Sample> samples,
      long runStart, long runEnd) {
    long r = recovery.toNanos();
    List<long[]> faults = outcomes.stream().filter(Outcome::injected)
        .map(o -> new long[] {o.injectedAt(), o.healedAt()}).toList();
    long[] accepted = calls.stream().filter(WitnessCall::accepted).mapToLong(WitnessCall::nanos).sorted().toArray();
    List<Finding> out = new ArrayList<>();
    long healthySince = -1;
    long failFrom = -1;
    long failTo = -1;
    long failSince = -1;
    for (HealthSampler.Sample s : samples) {
      long t = s.nanos();
      healthySince = s.healthy().isEmpty() ? -1 : (healthySince < 0 ? t : healthySince);
      boolean due = t >= runStart + r && t <= runEnd && healthySince >= 0 && t - healthySince >= r
          && faults.stream().noneMatch(f -> f[0] <= t && t - f[1] < r);
      boolean failing = due && !acceptedWithin(accepted, t - r, t);
      if (failing) {
        if (failFrom < 0) {
          failFrom = t;
          failSince = Math.max(healthySince, lastFaultEnd(faults, t, runStart));
        }
        failTo = t;
      }
      if ((!failing || s == samples.get(samples.size() - 1)) && failFrom >= 0) {
        out.add(new Finding("liveness", String.format(java.util.Locale.ROOT,
            "no instance active from %.1f s to %.1f s of the run, although no fault was active and some"
                + " instance was healthy since %.1f s", (failFrom - r - runStart) / 1e9,
            (failTo - runStart) / 1e9, (failSince - runStart) / 1e9), List.of()));
        failFrom = -1;
      }
    }
    return out;
  }

  private static boolean acceptedWithin(long[] sorted, long from, long to) {
    int i = java.util.Arrays.binarySearch(sorted, from);
    int first = i >= 0 ? i : -i - 1;
    return first < sorted.length && sorted[first] <= to;
  }

  private static long lastFaultEnd(List<long[]> faults, long t, long runStart) {
    return faults.stream().mapToLong(f -> f[1]).filter(end -> end <= t).max().orElse(runStart);
  }
}
