package io.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorEndpointsParseTest {

  @Test
  void parsesTrimsAndDropsDuplicates() {
    try (CoordinatorEndpoints e = CoordinatorEndpoints.parse(" 127.0.0.1:7101, ,127.0.0.1:7102,127.0.0.1:7101 ")) {
      assertThat(e.addresses()).containsExactly("127.0.0.1:7101", "127.0.0.1:7102");
      assertThat(e.target()).isEqualTo("127.0.0.1:7101");
    }
    try (CoordinatorEndpoints e = CoordinatorEndpoints.of(List.of("localhost:1", "[::1]:2"))) {
      assertThat(e.addresses()).containsExactly("localhost:1", "[::1]:2");
    }
  }

  @Test
  void refusesBadListsNamingTheBadEntry() {
    assertThatThrownBy(() -> CoordinatorEndpoints.parse(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no coordinator addresses given");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("  "))
        .hasMessageContaining("no coordinator addresses given");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse(",,"))
        .hasMessage("no coordinator addresses in \",,\"");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("127.0.0.1:7101,localhost"))
        .hasMessage("\"localhost\" is not host:port");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse(":7101"))
        .hasMessage("\":7101\" is not host:port");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("host:"))
        .hasMessage("\"host:\" is not host:port");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("host:http"))
        .hasMessage("\"host:http\" has no numeric port");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("host:0"))
        .hasMessage("\"host:0\": port must be 1-65535");
    assertThatThrownBy(() -> CoordinatorEndpoints.parse("host:65536"))
        .hasMessage("\"host:65536\": port must be 1-65535");
  }
}
