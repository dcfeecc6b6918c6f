package io.tandem.agent.groupdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.http.HttpCall;
import io.tandem.agent.http.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may call the storage endpoints: only a caller with the agent's token. */
class StorageEndpointsTest {
  private final StorageEndpoints endpoints = new StorageEndpoints(null, "the-agent-token");

  private static HttpCall call(String method, String path, Map<String, List<String>> headers, String body) {
    return new HttpCall(method, path, "", headers, body.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(HttpReply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void withoutTheTokenIs401() {
    HttpReply r = endpoints.handle(call("POST", "/tandem/storage/deploy", Map.of(), "{\"flows\":[]}"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(text(r)).contains("x-tandem-token");
  }

  @Test
  void withAnotherTokenIs403() {
    HttpReply r = endpoints.handle(call("POST", "/tandem/storage/deploy",
        Map.of("x-tandem-token", List.of("the-agent-tokem")), "{\"flows\":[]}"));
    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  void withTheTokenTheRequestIsRouted() {
    Map<String, List<String>> ok = Map.of("x-tandem-token", List.of("the-agent-token"));
    assertThat(endpoints.handle(call("GET", "/tandem/storage/nope", ok, "")).status()).isEqualTo(404);
    HttpReply bad = endpoints.handle(call("POST", "/tandem/storage/deploy", ok, "{\"flows\": {}}"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(text(bad)).contains("no flows array");
    HttpReply malformed = endpoints.handle(call("POST", "/tandem/storage/deploy", ok, "{\"flows\": ["));
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(text(malformed)).contains("not valid JSON");
  }
}
