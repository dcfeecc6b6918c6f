package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ops/haproxy/tandem.cfg parses in haproxy itself ({@code haproxy -c}), with its defaults and with
 * its addresses set through the environment. Its behaviour across a failover is tested by
 * integration-tests HaproxyFailoverIT. haproxy comes from the Debian package, which .ci/run
 * installs: on CI (CI set) a missing haproxy fails the test, elsewhere it is skipped.
 */
class HaproxyConfigTest {

  @Test
  void shippedConfigIsValidWithItsDefaults() throws Exception {
    assertValid(List.of());
  }

  @Test
  void shippedConfigIsValidWithAddressesFromTheEnvironment() throws Exception {
    assertValid(List.of("TANDEM_LISTEN=127.0.0.1:18080", "TANDEM_A_NODERED=127.0.0.21:1880",
        "TANDEM_A_AGENT_HOST=127.0.0.21", "TANDEM_A_AGENT_PORT=7401", "TANDEM_B_NODERED=127.0.0.22:1880",
        "TANDEM_B_AGENT_HOST=127.0.0.22", "TANDEM_B_AGENT_PORT=7401"));
  }

  private static void assertValid(List<String> env) throws Exception {
    Path haproxy = haproxy();
    ProcessBuilder pb = new ProcessBuilder(haproxy.toString(), "-c", "-f", DistPaths.ops("haproxy").resolve("tandem.cfg")
        .toString()).redirectErrorStream(true);
    for (String kv : env) {
      String[] p = kv.split("=", 2);
      pb.environment().put(p[0], p[1]);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("haproxy -c finished").isTrue();
    assertThat(p.exitValue()).as("haproxy -c:%n%s", out).isZero();
    assertThat(out).contains("Configuration file is valid").doesNotContain("WARNING");
  }

  private static Path haproxy() {
    Optional<Path> found = Optional.of(Path.of("/usr/sbin/haproxy")).filter(Files::isExecutable);
    if (found.isPresent()) {
      return found.get();
    }
    String how = "haproxy not found at /usr/sbin/haproxy: apt-get install haproxy (.ci/run does)";
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank()) {
      fail(how + "; required on CI (CI=" + ci + ")");
    }
    Assumptions.abort(how + "; skipped because CI is not set");
    throw new AssertionError("unreachable");
  }
}
