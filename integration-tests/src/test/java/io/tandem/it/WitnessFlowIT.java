package io.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.it.flows.WitnessFlow;
import io.tandem.it.harness.PlainNodeRed;
import io.tandem.it.witness.Witness;
import io.tandem.it.witness.WitnessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test flow itself, on a plain Node-RED: it calls the witness about every 20 ms and can be hung. */
class WitnessFlowIT {
  @Test
  void flowCallsTheWitnessEvery20msAndTheHangRouteBlocksTheRuntime(@TempDir Path dir) throws Exception {
    try (Witness w = new Witness(dir.resolve("w.log"), false); PlainNodeRed n = new PlainNodeRed(dir, "p1", w.callUrl(), true)) {
      n.start();
      assertThat(w.await(0, c -> true, 60_000)).as("first call (log %s)", n.process().log()).isPresent();
      int before = w.size();
      Thread.sleep(1000);
      int perSecond = w.size() - before;
      assertThat(perSecond).as("calls in one second").isBetween(10, 60);
      List<WitnessCall> calls = w.calls();
      assertThat(calls.get(calls.size() - 1).instance()).isEqualTo("p1");
      assertThat(calls.get(calls.size() - 1).token()).as("no Tandem: no token").isZero();

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      http.sendAsync(HttpRequest.newBuilder(URI.create(n.editorUrl() + WitnessFlow.HANG_PATH.substring(1))).build(),
          HttpResponse.BodyHandlers.discarding());
      Thread.sleep(500);
      int frozen = w.size();
      Thread.sleep(1000);
      assertThat(w.size() - frozen).as("calls in one second while hung (requests already in flight only)")
          .isLessThanOrEqualTo(2);
      try {
        http.send(HttpRequest.newBuilder(URI.create(n.editorUrl())).timeout(Duration.ofMillis(500)).build(),
            HttpResponse.BodyHandlers.discarding());
        throw new AssertionError("a hung Node-RED answered");
      } catch (HttpTimeoutException expected) {
        // the event loop is blocked: the connection opens but no reply comes
      }
    }
  }

  @Test
  void flowJsonHasTheHangRouteOnlyWhenAsked() {
    assertThat(WitnessFlow.json(true)).contains(WitnessFlow.HANG_PATH).contains("\"repeat\":\"0.02\"");
    assertThat(WitnessFlow.json(false)).doesNotContain(WitnessFlow.HANG_PATH).contains("global.get(\\\"tandem\\\")");
  }
}
