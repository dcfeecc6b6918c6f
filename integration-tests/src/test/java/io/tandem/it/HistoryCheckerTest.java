package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.HistoryChecker.Mode;
import io.tandem.it.check.Verdict;
import io.tandem.it.check.Violation.Kind;
import io.tandem.it.witness.WitnessCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryCheckerTest {
  /** Builds a history from "instance:token[:R]" items (R = refused), one per witness position. */
  private static List<WitnessCall> history(String... items) {
    List<WitnessCall> out = new ArrayList<>();
    for (String it : items) {
      String[] f = it.split(":");
      long seq = out.size();
      out.add(new WitnessCall(seq, 1_000_000L * seq, 1_700_000_000_000L + seq, f[0], Long.parseLong(f[1]),
          f.length < 3));
    }
    return out;
  }

  private static List<Kind> kinds(Verdict v) {
    return v.violations().stream().map(x -> x.kind()).toList();
  }

  @Test
  void cleanFailoverIsSafe() {
    Verdict v = HistoryChecker.check(history("a:5", "a:5", "a:5", "b:9", "b:9", "a:12", "a:12"), Mode.STRICT);
    assertThat(v.ok()).as(v.toString()).isTrue();
    assertThat(v.activations()).extracting(a -> a.instance() + "@" + a.token()).containsExactly("a@5", "b@9", "a@12");
    assertThat(v.activations().get(0).calls()).isEqualTo(3);
  }

  @Test
  void interleavedInstancesOverlapEvenWhenTheOldOneIsRefused() {
    Verdict v = HistoryChecker.check(history("a:5", "b:9", "a:5:R", "b:9"), Mode.STRICT);
    assertThat(kinds(v)).containsExactly(Kind.OVERLAP);
    assertThat(v.violations().get(0).lines()).contains("2 2000000 1700000000002 a 5 REFUSE");
  }

  @Test
  void pauseModeIgnoresStaleCallsTheWitnessRefused() {
    List<WitnessCall> h = history("a:5", "b:9", "a:5:R", "b:9");
    assertThat(HistoryChecker.check(h, Mode.PAUSES).ok()).isTrue();
  }

  @Test
  void acceptedStaleTokenIsADecreaseAndAnOverlap() {
    Verdict v = HistoryChecker.check(history("a:5", "b:9", "a:5", "b:9"), Mode.PAUSES);
    assertThat(kinds(v)).containsExactlyInAnyOrder(Kind.TOKEN_DECREASED, Kind.OVERLAP);
  }

  @Test
  void twoInstancesWithTheSameTokenAreNotIncreasing() {
    Verdict v = HistoryChecker.check(history("a:5", "a:5", "b:5", "b:5"), Mode.STRICT);
    assertThat(kinds(v)).containsExactly(Kind.ACTIVATION_NOT_INCREASING);
  }

  @Test
  void laterActivationWithLowerTokenIsReportedEvenIfRefused() {
    Verdict v = HistoryChecker.check(history("a:9", "a:9", "b:7:R"), Mode.STRICT);
    assertThat(kinds(v)).containsExactly(Kind.ACTIVATION_NOT_INCREASING);
  }

  @Test
  void callWithoutTokenIsReported() {
    Verdict v = HistoryChecker.check(history("a:0:R", "a:3"), Mode.STRICT);
    assertThat(kinds(v)).containsExactly(Kind.NO_TOKEN);
  }

  @Test
  void sameInstanceReactivatedIsNotAnOverlap() {
    assertThat(HistoryChecker.check(history("a:3", "a:7", "a:7"), Mode.STRICT).ok()).isTrue();
  }

  @Test
  void readsTheWitnessLogFormat(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("witness.log");
    List<String> lines = history("a:5", "b:9", "a:5:R").stream().map(WitnessCall::toLine).toList();
    Files.write(log, lines);
    Verdict v = HistoryChecker.check(log, Mode.STRICT);
    assertThat(kinds(v)).containsExactly(Kind.OVERLAP);
    assertThat(HistoryChecker.check(log, Mode.PAUSES).ok()).isTrue();
  }
}
