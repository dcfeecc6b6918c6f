package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.check.Verdict;
import io.tandem.it.check.Violation;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The witness's per-key rule, its overlap and stale-token records, and the per-key history check. */
class KeyedWitnessTest {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void eachKeyHasItsOwnTokenSequence(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("w.log");
    try (Witness w = new Witness(log, true)) {
      URI uri = URI.create(w.callUrl() + "?instance=a&token=40&key=k1");
      assertThat(http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
      assertThat(w.decideKeyed("k2", "b", 12)).isTrue();   // lower than k1's 40: another key
      assertThat(w.decideKeyed("k1", "b", 12)).isFalse();  // stale for k1
      assertThat(w.decideKeyed("k1", "b", 41)).isTrue();   // a handover of k1
      assertThat(w.decideKeyed("k1", "a", 40)).isFalse();  // the old holder wakes up: refused
      assertThat(w.decideKeyed("k2", "b", 12)).isTrue();
      assertThat(w.staleTokens()).extracting(c -> c.key() + ":" + c.instance() + "@" + c.token())
          .containsExactly("k1:b@12", "k1:a@40");
      assertThat(w.overlaps()).isEmpty(); // refused calls do not act
    }
    assertThat(Files.readAllLines(log)).hasSize(6).allSatisfy(WitnessCall::parse);
    assertThat(WitnessCall.parse(Files.readAllLines(log).get(0)).key()).isEqualTo("k1");
    Map<String, Verdict> v = HistoryChecker.checkPerKey(
        Files.readAllLines(log).stream().map(WitnessCall::parse).toList(), HistoryChecker.Mode.PAUSES);
    assertThat(v.keySet()).containsExactly("k1", "k2");
    assertThat(v.values()).allSatisfy(x -> assertThat(x.ok()).as(x.toString()).isTrue());
    assertThat(v.get("k1").activations()).extracting(a -> a.instance() + "@" + a.token())
        .containsExactly("a@40", "b@41");
  }

  @Test
  void withoutTokenChecksAHolderThatActsAgainAfterAnotherIsAnOverlap(@TempDir Path dir) {
    try (Witness w = new Witness(dir.resolve("w.log"), false, Duration.ofSeconds(5))) {
      w.decideKeyed("k", "a", 0);
      w.decideKeyed("k", "a", 0);
      w.decideKeyed("k", "b", 0); // a clean handover: a stopped, b took over
      w.decideKeyed("k", "b", 0);
      w.decideKeyed("other", "a", 0); // other keys do not count
      assertThat(w.overlaps()).isEmpty();
      w.decideKeyed("k", "a", 0); // a acts again after b did, within the interval: both acted at once
      assertThat(w.overlaps()).singleElement().satisfies(o -> {
        assertThat(o.key()).isEqualTo("k");
        assertThat(o.instance()).isEqualTo("a");
        assertThat(o.other()).isEqualTo("b");
      });
      assertThat(w.staleTokens()).isEmpty();
    }
  }

  @Test
  void anOldCallLongBeforeIsNoOverlap(@TempDir Path dir) throws Exception {
    try (Witness w = new Witness(dir.resolve("w.log"), false, Duration.ofMillis(30))) {
      w.decideKeyed("k", "a", 0);
      w.decideKeyed("k", "b", 0);
      Thread.sleep(60);
      w.decideKeyed("k", "a", 0); // a's previous call is older than the interval: a new turn, not an overlap
      assertThat(w.overlaps()).isEmpty();
    }
  }

  @Test
  void perKeyCheckFindsDecreasingTokensOfOneKey() {
    java.util.List<WitnessCall> calls = java.util.List.of(
        new WitnessCall(0, 0, 0, "a", 50, true, "k1"),
        new WitnessCall(1, 1, 1, "b", 7, true, "k2"),
        new WitnessCall(2, 2, 2, "c", 45, true, "k1"));
    Map<String, Verdict> v = HistoryChecker.checkPerKey(calls, HistoryChecker.Mode.PAUSES);
    assertThat(v.get("k2").ok()).isTrue();
    assertThat(v.get("k1").violations()).extracting(Violation::kind)
        .contains(Violation.Kind.TOKEN_DECREASED, Violation.Kind.ACTIVATION_NOT_INCREASING);
  }
}
