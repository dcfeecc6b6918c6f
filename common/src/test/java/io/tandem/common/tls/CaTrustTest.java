package io.tandem.common.tls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaTrustTest {
  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();
  private final CertificateAuthority first = CertificateAuthority.create("First", Instant.now(), 10);
  private final CertificateAuthority second = CertificateAuthority.create("Second", Instant.now(), 10);

  private X509Certificate[] chain(CertificateAuthority ca, Identity id) {
    return new X509Certificate[] {ca.issue(id, List.of(), List.of(), Instant.now(), 1).certificate()};
  }

  @Test
  void trustsOnlyTheListedCasAndRolesAndRereadsTheList() throws Exception {
    Path ca = dir.resolve("ca.crt");
    // a trust list of two CAs
    Files.writeString(ca, Pem.encode(first.certificate()) + Pem.encode(second.certificate()));
    CaTrust peersOnly = new CaTrust(ca, Set.of(Role.PEER), nanos::get);
    X509Certificate[] peerOfFirst = chain(first, Identity.peer("c1"));
    X509Certificate[] peerOfSecond = chain(second, Identity.peer("c2"));
    assertThatCode(() -> peersOnly.checkClientTrusted(peerOfFirst, "EC")).doesNotThrowAnyException();
    assertThatCode(() -> peersOnly.checkClientTrusted(peerOfSecond, "EC")).doesNotThrowAnyException();
    assertThatThrownBy(() -> peersOnly.checkClientTrusted(chain(first, Identity.admin("ops")), "EC"))
        .isInstanceOf(CertificateException.class).hasMessageContaining("tandem:admin:ops may not connect here");
    CertificateAuthority stranger = CertificateAuthority.create("Stranger", Instant.now(), 10);
    assertThatThrownBy(() -> peersOnly.checkClientTrusted(chain(stranger, Identity.peer("c1")), "EC"))
        .isInstanceOf(CertificateException.class);
    X509Certificate[] expired = {first.issue(Identity.peer("c1"), List.of(), List.of(),
        Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1))).certificate()};
    assertThatThrownBy(() -> peersOnly.checkClientTrusted(expired, "EC")).isInstanceOf(CertificateException.class);

    // revoke the second CA by removing it from the list: picked up at the next check
    Files.writeString(ca, Pem.encode(first.certificate()));
    nanos.addAndGet(WatchedFiles.CHECK_EVERY_NANOS);
    assertThatThrownBy(() -> peersOnly.checkClientTrusted(peerOfSecond, "EC")).isInstanceOf(CertificateException.class);
    assertThatCode(() -> peersOnly.checkClientTrusted(peerOfFirst, "EC")).doesNotThrowAnyException();

    // a broken replacement keeps the current list
    Files.writeString(ca, "not a certificate");
    nanos.addAndGet(WatchedFiles.CHECK_EVERY_NANOS);
    assertThatCode(() -> peersOnly.checkClientTrusted(peerOfFirst, "EC")).doesNotThrowAnyException();
  }
}
