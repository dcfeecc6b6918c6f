package io.tandem.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness runs mutual TLS unless a spec asks for plaintext, and writes configs that say which. */
class HarnessTlsTest {
  @TempDir Path dir;

  @Test
  void specsAreMutualTlsUnlessAskedForPlaintext() {
    ClusterSpec d = ClusterSpec.defaults(List.of("a", "b"));
    assertThat(d.plaintext()).isFalse();
    assertThat(ClusterSpec.forCi(List.of("a")).plaintext()).isFalse();
    ClusterSpec p = d.withGroup("g").withPlaintext(true).withProbe(Duration.ofSeconds(1), 5).withHangRoute(false);
    assertThat(p.plaintext()).isTrue();
    assertThat(p.group()).isEqualTo("g");
    assertThat(p.probeMisses()).isEqualTo(5);
    assertThat(p.withPlaintext(false).plaintext()).isFalse();
  }

  @Test
  void configsCarryThePeerAndAgentCertificatesOrInsecure() throws Exception {
    HarnessCerts certs = HarnessCerts.in(dir.resolve("certs"));
    CoordinatorNode c1 = new CoordinatorNode("c1", dir);
    ClusterSpec spec = ClusterSpec.defaults(List.of("a"));
    String tls = Files.readString(ConfigWriter.coordinator(dir, c1, List.of(c1), spec, certs.peer("c1")));
    assertThat(tls).contains("tls: {ca: \"" + dir.resolve("certs/ca.crt") + "\", cert: \"" + dir.resolve("certs/peer-c1.crt"))
        .doesNotContain("insecure");
    assertThat(dir.resolve("certs/peer-c1.key")).exists();
    String plain = Files.readString(ConfigWriter.coordinator(dir, c1, List.of(c1), spec, TlsSettings.plaintext()));
    assertThat(plain).contains("tls: {insecure: true}\n").doesNotContain("ca:");

    AgentNode a = new AgentNode("a", dir);
    String agent = Files.readString(ConfigWriter.agent(dir, a, List.of(c1.grpcAddress()), spec, dir.resolve("red.js"),
        Map.of(), certs.agent("line1", "a")));
    assertThat(agent).contains("cert: \"" + dir.resolve("certs/agent-line1-a.crt") + "\"");
  }
}
