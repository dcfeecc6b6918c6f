package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.tls.Identity;
import io.tandem.common.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
  @TempDir Path dir;

  private X509Certificate cert(String stem) {
    return Pem.certificates(dir.resolve(stem + ".crt")).get(0);
  }

  @Test
  void initThenIssueEveryRole() throws Exception {
    String d = dir.toString();
    assertThat(CtlRun.of("certs", "init", "--dir", d).exitCode()).isZero();
    assertThat(CtlRun.of("certs", "issue", "--dir", d, "--role", "agent", "--group", "plc", "--instance", "a").exitCode()).isZero();
    CtlRun peer = CtlRun.of("certs", "issue", "--dir", d, "--role", "peer", "--id", "c1", "--dns", "c1.example", "--ip", "127.0.0.5");
    assertThat(peer.exitCode()).as(peer.err()).isZero();
    assertThat(CtlRun.of("certs", "issue", "--dir", d, "--role", "admin", "--name", "ops", "--days", "30").exitCode()).isZero();
    assertThat(CtlRun.of("certs", "issue", "--dir", d, "--role", "viewer", "--name", "screen").exitCode()).isZero();

    assertThat(Identity.of(cert("agent-plc-a"))).contains(Identity.agent("plc", "a"));
    assertThat(Identity.of(cert("admin-ops"))).contains(Identity.admin("ops"));
    assertThat(Identity.of(cert("viewer-screen"))).contains(Identity.viewer("screen"));
    X509Certificate p = cert("peer-c1");
    assertThat(Identity.of(p)).contains(Identity.peer("c1"));
    assertThat(p.getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
        .containsExactlyInAnyOrder("tandem:peer:c1", "localhost", "127.0.0.1", "c1.example", "127.0.0.5");
    p.verify(cert("ca").getPublicKey());
    assertThat(cert("ca").getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3649)));
    assertThat(p.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(824)), Instant.now().plus(Duration.ofDays(825)));
    assertThat(cert("admin-ops").getNotAfter().toInstant()).isBefore(Instant.now().plus(Duration.ofDays(30)));
    for (String key : new String[] {"ca.key", "agent-plc-a.key", "peer-c1.key", "admin-ops.key"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key)))).as(key).isEqualTo("rw-------");
    }
  }

  @Test
  void usageErrorsNameWhatIsMissing() {
    String d = dir.toString();
    assertThat(CtlRun.of("certs", "issue", "--dir", d, "--role", "peer", "--id", "c1").err()).contains("no CA here", "certs init");
    CtlRun.of("certs", "init", "--dir", d);
    CtlRun agent = CtlRun.of("certs", "issue", "--dir", d, "--role", "agent", "--group", "plc");
    assertThat(agent.exitCode()).isEqualTo(2);
    assertThat(agent.err()).contains("--role agent needs --group and --instance");
    assertThat(CtlRun.of("certs", "issue", "--dir", d, "--role", "root", "--name", "x").err()).contains("--role must be");
    CtlRun again = CtlRun.of("certs", "init", "--dir", d);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already holds a CA");
  }
}
