package io.tandem.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesHostsAndBracketedIpv6() {
    assertThat(HostPort.parse("127.0.0.1:7101")).isEqualTo(new HostPort("127.0.0.1", 7101));
    assertThat(HostPort.parse(" c1.local:1 ")).isEqualTo(new HostPort("c1.local", 1));
    HostPort v6 = HostPort.parse("[::1]:7401");
    assertThat(v6).isEqualTo(new HostPort("::1", 7401));
    assertThat(v6.toString()).isEqualTo("[::1]:7401");
    assertThat(HostPort.parseListen("0.0.0.0:0").port()).isZero();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
    "nohost| \"nohost\" is not host:port",
    "host:| \"host:\" is not host:port",
    ":7101| \":7101\" is not host:port",
    "h:abc| \"h:abc\" has no numeric port",
    "h:0| \"h:0\": port must be 1-65535",
    "h:70000| port must be 1-65535",
    "h:99999999999999| port must be 1-65535",
    "::1:7401| put an IPv6 address in brackets",
    "[]:7401| has no host",
  })
  void refusesWithASentence(String text, String expected) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }
}
