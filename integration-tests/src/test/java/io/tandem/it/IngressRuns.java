package io.tandem.it;

import static org.assertj.core.api.Assertions.fail;

import io.tandem.it.harness.AgentNode;
import io.tandem.it.harness.Haproxy;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** What the ingress ITs (haproxy, nginx) share: the config under test, the proxy binary, the targets. */
final class IngressRuns {
  private IngressRuns() {}

  /** The shipped config, or the file the system property names (to see another one, e.g. a naive one, fail). */
  static Path config(String property, Path shipped) {
    String other = System.getProperty(property);
    return other == null || other.isBlank() ? shipped : Path.of(other);
  }

  /** Skips when the proxy is missing, unless on CI (CI set), where it must be installed (.ci/run does). */
  static void require(Optional<Path> binary, String name, String aptPackage) {
    if (binary.isPresent()) {
      return;
    }
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank()) {
      fail(name + " not found; required on CI (CI=" + ci + "): apt-get install " + aptPackage);
    }
    Assumptions.abort(name + " not installed (apt-get install " + aptPackage + ")");
  }

  static String otherThan(String instance) {
    return instance.equals("a") ? "b" : "a";
  }

  /** An instance as the proxies see it: its Node-RED port and its agent's port (GET /active). */
  static Haproxy.Target target(AgentNode a) {
    return new Haproxy.Target(a.nodeRedPort(), a.httpPort());
  }
}
