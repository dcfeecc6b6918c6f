package io.tandem.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @TempDir Path dir;

  @Test
  void aCaInAFolderIssuesLeafCertificatesItSigned() throws Exception {
    CertificateAuthority.create("Test CA", Instant.now(), 10).writeTo(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
    CertificateAuthority ca = CertificateAuthority.load(dir);
    Identity agent = Identity.agent("plc", "a");
    Path crt = ca.issue(agent, List.of(), List.of(), Instant.now(), 5).writeTo(dir, agent.fileStem());

    assertThat(crt).isEqualTo(dir.resolve("agent-plc-a.crt"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent-plc-a.key")))).isEqualTo("rw-------");
    X509Certificate cert = Pem.certificates(crt).get(0);
    cert.verify(ca.certificate().getPublicKey()); // throws if another key signed it
    assertThat(Identity.of(cert)).contains(agent);
    assertThat(cert.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(4)), Instant.now().plus(Duration.ofDays(5)));
    assertThat(KeyMatch.matches(cert, Pem.privateKey(dir.resolve("agent-plc-a.key")))).isTrue();
    assertThat(cert.getBasicConstraints()).isEqualTo(-1); // not a CA
  }

  @Test
  void aPeerCertificateCarriesItsHostNamesAndAddresses() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Test CA", Instant.now(), 10);
    X509Certificate cert = ca.issue(Identity.peer("c1"), List.of("localhost", "c1.example"),
        List.of("127.0.0.1"), Instant.now(), 5).certificate();
    assertThat(cert.getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
        .containsExactlyInAnyOrder("tandem:peer:c1", "localhost", "c1.example", "127.0.0.1");
  }

  @Test
  void initRefusesToReplaceACa() {
    CertificateAuthority.create("Test CA", Instant.now(), 10).writeTo(dir);
    assertThatThrownBy(() -> CertificateAuthority.create("Other", Instant.now(), 10).writeTo(dir))
        .isInstanceOf(TlsException.class).hasMessageContaining("already holds a CA");
  }

  @Test
  void issuingWithoutACaSaysHowToMakeOne() {
    assertThatThrownBy(() -> CertificateAuthority.load(dir))
        .hasMessageContaining("tandemctl certs init --dir " + dir);
  }

  @Test
  void identitiesParseOnlyWellFormedUris() {
    assertThat(Identity.parseUri("tandem:agent:g/i")).contains(Identity.agent("g", "i"));
    assertThat(Identity.parseUri("tandem:viewer:ops")).contains(Identity.viewer("ops"));
    assertThat(Identity.parseUri("tandem:agent:g")).isEmpty();
    assertThat(Identity.parseUri("tandem:root:x")).isEmpty();
    assertThat(Identity.parseUri("tandem:admin:a b")).isEmpty();
    assertThat(Identity.parseUri("https://example.com")).isEmpty();
    assertThat(Identity.agent("g", "i").group()).isEqualTo("g");
    assertThat(Identity.agent("g", "i").instance()).isEqualTo("i");
  }
}
