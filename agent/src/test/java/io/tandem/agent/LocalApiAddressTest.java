package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which listen addresses of the local API count as loopback (no warning without http.token). */
class LocalApiAddressTest {
  @Test
  void loopbackLiteralsAndLocalhostAreLoopbackEverythingElseIsNot() {
    for (String h : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"}) {
      assertThat(Agent.isLoopback(h)).as(h).isTrue();
    }
    for (String h : new String[] {"0.0.0.0", "::", "[::]", "10.0.0.1", "plc-a.example", "128.0.0.1"}) {
      assertThat(Agent.isLoopback(h)).as(h).isFalse();
    }
  }
}
