package io.tandem.it.check;

import io.tandem.it.witness.WitnessCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a witness history for split-brain.
 *
 * <p>Definitions. The witness orders all calls totally (seq). An <em>activation</em> is the set of
 * calls carrying one (instance, token) pair; its <em>activity interval</em> runs from its first to
 * its last such call. In {@link Mode#STRICT} every call counts as activity, refused ones included: a
 * refused call still proves the instance's flows were running. In {@link Mode#PAUSES} (faults that
 * freeze a process, which a lease alone cannot cover) only accepted calls count: a frozen runtime may
 * wake up and send stale calls, and the fencing token is what must stop them.
 *
 * <p>Rules: (1) NO_TOKEN: no call without a token (flows ran before a token was set); (2) OVERLAP:
 * activity intervals of activations of different instances never overlap; (3) TOKEN_DECREASED: the
 * tokens of accepted calls never decrease; (4) ACTIVATION_NOT_INCREASING: ordered by their first
 * call, every activation's token is strictly greater than the one before.
 */
public final class HistoryChecker {
  public enum Mode { STRICT, PAUSES }

  private static final int MAX_LINES = 6;

  private HistoryChecker() {}

  public static Verdict check(Path witnessLog, Mode mode) throws IOException {
    List<WitnessCall> calls = new ArrayList<>();
    for (String line : Files.readAllLines(witnessLog)) {
      if (!line.isBlank()) {
        calls.add(WitnessCall.parse(line));
      }
    }
    return check(calls, mode);
  }

  public static Verdict check(List<WitnessCall> history, Mode mode) {
    List<WitnessCall> calls = new ArrayList<>(history);
    calls.sort(Comparator.comparingLong(WitnessCall::seq));
    List<Violation> out = new ArrayList<>();
    for (WitnessCall c : calls) {
      if (c.token() <= 0) {
        out.add(new Violation(Violation.Kind.NO_TOKEN, c.instance() + " ran flows without a fencing token",
            List.of(c.toLine())));
      }
    }
    WitnessCall prev = null;
    for (WitnessCall c : calls) {
      if (!c.accepted()) {
        continue;
      }
      if (prev != null && c.token() < prev.token()) {
        out.add(new Violation(Violation.Kind.TOKEN_DECREASED, "accepted token " + c.token() + " after "
            + prev.token(), List.of(prev.toLine(), c.toLine())));
      }
      prev = c;
    }
    List<Activation> acts = activations(calls, mode);
    for (int i = 0; i < acts.size(); i++) {
      Activation a = acts.get(i);
      if (i > 0 && a.token() <= acts.get(i - 1).token()) {
        Activation b = acts.get(i - 1);
        out.add(new Violation(Violation.Kind.ACTIVATION_NOT_INCREASING, a + " started after " + b
            + " with a token that is not greater", List.of(b.first().toLine(), a.first().toLine())));
      }
      for (int j = i + 1; j < acts.size() && acts.get(j).first().seq() <= a.last().seq(); j++) {
        Activation b = acts.get(j);
        if (!b.instance().equals(a.instance()) && a.overlaps(b)) {
          out.add(new Violation(Violation.Kind.OVERLAP, a + " and " + b + " were active at the same time",
              overlapLines(calls, a, b, mode)));
        }
      }
    }
    return new Verdict(acts, out);
  }

  /**
   * Checks the calls of each lock key on their own (a key's tokens are its own sequence): the
   * verdict per key, in the order the keys first appear ("" holds the calls without a key).
   */
  public static Map<String, Verdict> checkPerKey(List<WitnessCall> history, Mode mode) {
    Map<String, List<WitnessCall>> byKey = new LinkedHashMap<>();
    for (WitnessCall c : history) {
      byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
    }
    Map<String, Verdict> out = new LinkedHashMap<>();
    byKey.forEach((k, calls) -> out.put(k, check(calls, mode)));
    return out;
  }

  /** Activations in the order of their first counted call. */
  public static List<Activation> activations(List<WitnessCall> calls, Mode mode) {
    Map<String, Activation> byKey = new LinkedHashMap<>();
    for (WitnessCall c : calls) {
      if (mode == Mode.PAUSES && !c.accepted()) {
        continue;
      }
      byKey.merge(c.instance() + "\u0000" + c.token(), new Activation(c.instance(), c.token(), c, c, 1),
          (old, x) -> old.extend(c));
    }
    return List.copyOf(byKey.values());
  }

  private static List<String> overlapLines(List<WitnessCall> calls, Activation a, Activation b, Mode mode) {
    long from = Math.max(a.first().seq(), b.first().seq()) - 1;
    long to = Math.min(a.last().seq(), b.last().seq()) + 1;
    List<String> lines = new ArrayList<>();
    for (WitnessCall c : calls) {
      boolean counted = mode == Mode.STRICT || c.accepted();
      boolean ofThem = (c.instance().equals(a.instance()) && c.token() == a.token())
          || (c.instance().equals(b.instance()) && c.token() == b.token());
      if (counted && ofThem && c.seq() >= from && c.seq() <= to && lines.size() < MAX_LINES) {
        lines.add(c.toLine());
      }
    }
    return lines;
  }
}
