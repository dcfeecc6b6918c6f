package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * ops/prometheus checked by Prometheus' own tool: the rules parse, the example config parses, and
 * the alert unit tests (tandem-rules.test.yml) pass.
 *
 * <p>promtool comes from the Debian package prometheus, which .ci/run installs. On CI (environment
 * variable CI set, as CI runs .ci/run) a missing promtool fails the test; on a developer machine
 * without it the test is skipped with a message saying how to install it. -Dtandem.promtool=PATH
 * names a promtool that is not on the PATH.
 */
class PromtoolTest {

  @Test
  void alertRulesAreValid() throws Exception {
    assertPromtool("check", "rules", "tandem-rules.yml");
  }

  @Test
  void exampleScrapeConfigIsValid() throws Exception {
    assertPromtool("check", "config", "prometheus.yml");
  }

  @Test
  void alertsFireInTheirScenariosAndOnlyThere() throws Exception {
    assertPromtool("test", "rules", "tandem-rules.test.yml");
  }

  private static void assertPromtool(String... args) throws Exception {
    Path promtool = promtool();
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(DistPaths.ops("prometheus").toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    assertThat(out).contains("SUCCESS");
  }

  static Path promtool() {
    Optional<Path> found = find();
    if (found.isPresent()) {
      return found.get();
    }
    String how = "promtool not found on the PATH (nor -Dtandem.promtool): install the Debian package "
        + "prometheus (apt-get install --no-install-recommends prometheus; .ci/run does)";
    if (System.getenv("CI") != null && !System.getenv("CI").isBlank()) {
      fail(how + "; required on CI (CI=" + System.getenv("CI") + ")");
    }
    Assumptions.abort(how + "; skipped because CI is not set");
    throw new AssertionError("unreachable");
  }

  private static Optional<Path> find() {
    String prop = System.getProperty("tandem.promtool");
    if (prop != null && !prop.isBlank()) {
      Path p = Path.of(prop);
      if (!Files.isExecutable(p)) {
        fail("-Dtandem.promtool=" + prop + " is not an executable file");
      }
      return Optional.of(p);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "promtool");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
