package io.tandem.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.common.config.ConfigException;
import io.tandem.common.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http: HOST:PORT as before, or {listen, token | tokenFile}; the local API listens on loopback by default. */
class HttpTokenConfigTest {
  private static final String HEAD = """
      group: line-1
      instance: plc-a
      coordinators: 127.0.0.1:7400
      nodeRed: {userDir: data/node-red, port: 1880}
      tls: {insecure: true}
      """;
  private static final String TOKEN = "s3cret-token-for-the-local-api";

  @TempDir Path dir;

  private AgentConfig parse(String http) throws ConfigException {
    return AgentConfigLoader.parse(HEAD + http, "agent.yaml", dir);
  }

  @Test
  void withoutHttpTheApiIsOpenOnLoopback() throws Exception {
    AgentConfig c = parse("");
    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.1", 7401));
    assertThat(c.httpToken().required()).isFalse();
    assertThat(parse("http: 127.0.0.1:9100\n").httpToken().required()).isFalse();
  }

  @Test
  void aMappingGivesTheListenAddressAndTheToken() throws Exception {
    AgentConfig c = parse("http: {listen: 127.0.0.2:9100, token: " + TOKEN + "}\n");
    assertThat(c.http()).isEqualTo(new HostPort("127.0.0.2", 9100));
    assertThat(c.httpToken().accepts("Bearer " + TOKEN)).isTrue();
    assertThat(c.httpToken().accepts("Bearer " + TOKEN + "x")).isFalse();
    assertThat(c.httpToken().accepts(TOKEN)).isFalse();
    assertThat(c.httpToken().accepts(null)).isFalse();
    assertThat(c.toString()).doesNotContain(TOKEN);
    assertThat(parse("http: {token: " + TOKEN + "}\n").http()).isEqualTo(new HostPort("127.0.0.1", 7401));
  }

  @Test
  void aTokenFileMustBeOwnerOnly() throws Exception {
    Path file = dir.resolve("http.token");
    Files.writeString(file, TOKEN + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(parse("http:\n  tokenFile: http.token\n").httpToken().accepts("Bearer " + TOKEN)).isTrue();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> parse("http:\n  tokenFile: http.token\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tokenFile").hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> parse("http:\n  tokenFile: missing.token\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tokenFile").hasMessageContaining("no such file");
  }

  @Test
  void badTokensAreRefusedWithTheField() {
    assertThatThrownBy(() -> parse("http: {token: short}\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.token").hasMessageContaining("16 to 512");
    assertThatThrownBy(() -> parse("http: {token: " + TOKEN + ", tokenFile: x}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> parse("http: {listen: 127.0.0.1:1, tokn: " + TOKEN + "}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tokn");
  }
}
