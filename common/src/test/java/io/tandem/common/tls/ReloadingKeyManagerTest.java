package io.tandem.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingKeyManagerTest {
  @TempDir Path dir;
  private final CertificateAuthority ca = CertificateAuthority.create("Test CA", Instant.now(), 10);
  private final AtomicLong nanos = new AtomicLong();

  private CertificateAuthority.Issued issue(Instant from, Instant to) {
    return ca.issue(Identity.peer("c1"), List.of("localhost"), List.of("127.0.0.1"), from, to);
  }

  private ReloadingKeyManager manager() {
    return new ReloadingKeyManager(dir.resolve("peer-c1.crt"), dir.resolve("peer-c1.key"), Instant::now, nanos::get);
  }

  @Test
  void anExpiredCertificateIsRefusedWithItsFileAndDates() {
    Instant to = Instant.now().minus(Duration.ofDays(1));
    issue(to.minus(Duration.ofDays(2)), to).writeTo(dir, "peer-c1");
    assertThatThrownBy(this::manager).isInstanceOf(TlsException.class)
        .hasMessageContaining(dir.resolve("peer-c1.crt").toString())
        .hasMessageContaining("expired on " + to.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void aNotYetValidCertificateIsRefused() {
    Instant from = Instant.now().plus(Duration.ofDays(1));
    issue(from, from.plus(Duration.ofDays(2))).writeTo(dir, "peer-c1");
    assertThatThrownBy(this::manager).hasMessageContaining("not valid yet: valid from "
        + from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    issue(Instant.now(), Instant.now().plus(Duration.ofDays(1))).writeTo(dir, "peer-c1");
    issue(Instant.now(), Instant.now().plus(Duration.ofDays(1))).writeTo(dir, "other");
    Files.copy(dir.resolve("other.key"), dir.resolve("peer-c1.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(this::manager).hasMessageContaining("is not the private key of the certificate");
  }

  @Test
  void changedFilesAreReadAtTheNextHandshakeAndABadReplacementIsIgnored() throws Exception {
    var first = issue(Instant.now(), Instant.now().plus(Duration.ofDays(1)));
    first.writeTo(dir, "peer-c1");
    ReloadingKeyManager km = manager();
    String alias = km.chooseEngineServerAlias("EC", null, null);
    assertThat(km.getCertificateChain(alias)[0].getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());

    var second = issue(Instant.now(), Instant.now().plus(Duration.ofDays(1)));
    second.writeTo(dir, "peer-c1");
    assertThat(km.certificate().getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());
    nanos.addAndGet(WatchedFiles.CHECK_EVERY_NANOS); // the next check is due
    String newAlias = km.chooseEngineServerAlias("EC", null, null);
    assertThat(km.getCertificateChain(newAlias)[0].getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
    // a handshake that chose the old alias just before the swap still gets a matching pair
    assertThat(km.getCertificateChain(alias)[0].getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());

    Files.writeString(dir.resolve("peer-c1.crt"), "garbage");
    nanos.addAndGet(WatchedFiles.CHECK_EVERY_NANOS);
    km.refresh();
    assertThat(km.certificate().getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
    assertThat(km.chooseEngineServerAlias("RSA", null, null)).isNull(); // an EC key only
  }
}
