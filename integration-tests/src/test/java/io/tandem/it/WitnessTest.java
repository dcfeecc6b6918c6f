package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.check.HistoryChecker;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WitnessTest {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private int call(Witness w, String instance, long token) throws Exception {
    URI uri = URI.create(w.callUrl() + "?instance=" + instance + "&token=" + token);
    return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void acceptsOnlyTheHighestTokenFromItsHolder(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("w.log");
    try (Witness w = new Witness(log, true)) {
      assertThat(w.callUrl()).startsWith("http://127.0.0.1:");
      assertThat(call(w, "a", 5)).isEqualTo(200);
      assertThat(call(w, "a", 5)).isEqualTo(200);
      assertThat(call(w, "b", 5)).isEqualTo(409);  // same token, other instance
      assertThat(call(w, "b", 9)).isEqualTo(200);
      assertThat(call(w, "a", 5)).isEqualTo(409);  // stale
      assertThat(call(w, "a", 0)).isEqualTo(409);  // no token
      assertThat(w.calls()).extracting(WitnessCall::accepted).containsExactly(true, true, false, true, false, false);
    }
    assertThat(Files.readAllLines(log)).hasSize(6).allSatisfy(l -> WitnessCall.parse(l));
    assertThat(HistoryChecker.check(log, HistoryChecker.Mode.PAUSES).violations()).hasSize(1); // the a:0 call
  }

  @Test
  void plainWitnessAcceptsEverything(@TempDir Path dir) throws Exception {
    try (Witness w = new Witness(dir.resolve("w.log"), false)) {
      assertThat(call(w, "x", 0)).isEqualTo(200);
      assertThat(w.await(0, c -> c.instance().equals("x"), 1000)).isPresent();
      assertThat(w.await(1, c -> true, 50)).isEmpty();
    }
  }
}
