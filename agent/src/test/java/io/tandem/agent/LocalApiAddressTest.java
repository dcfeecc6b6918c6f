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
    // names only (no address outside loopback in the tests): a host name, and names that merely
    // start like a loopback literal or "localhost"
    for (String h : new String[] {"plc-a.example", "127.example", "localhost.example", "nodered"}) {
      assertThat(Agent.isLoopback(h)).as(h).isFalse();
    }
  }
}
