package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/nginx/tandem.conf, its ${TANDEM_...} names rendered as envsubst would, passes nginx's own test
 * ({@code nginx -t}) with its prefix in a temp dir. Its behaviour across a failover is tested by
 * integration-tests NginxFailoverIT. nginx comes from the Debian package (nginx-light), which
 * .ci/run installs: on CI (CI set) a missing nginx fails the test, elsewhere it is skipped.
 */
class NginxConfigTest {
  private static final Pattern NAME = Pattern.compile("\\$\\{(TANDEM_[A-Z_]+)}");

  @Test
  void shippedConfigIsValidWithLoopbackAddresses(@TempDir Path dir) throws Exception {
    assertValid(dir, Map.of("TANDEM_LISTEN", "127.0.0.1:18080", "TANDEM_A_NODERED", "127.0.0.1:1880",
        "TANDEM_A_AGENT", "127.0.0.1:7401", "TANDEM_B_NODERED", "127.0.0.1:1881", "TANDEM_B_AGENT", "127.0.0.1:7402"));
  }

  @Test
  void shippedConfigIsValidWithTwoHosts(@TempDir Path dir) throws Exception {
    assertValid(dir, Map.of("TANDEM_LISTEN", "127.0.0.1:18080", "TANDEM_A_NODERED", "127.0.0.21:1880",
        "TANDEM_A_AGENT", "127.0.0.21:7401", "TANDEM_B_NODERED", "127.0.0.22:1880", "TANDEM_B_AGENT", "127.0.0.22:7401"));
  }

  @Test
  void everyNameInTheConfigIsDocumentedInItsHeader() throws Exception {
    String conf = Files.readString(DistPaths.ops("nginx").resolve("tandem.conf"));
    Matcher line = Pattern.compile("envsubst '([^']*)'").matcher(conf);
    assertThat(line.find()).as("an envsubst line in the header").isTrue();
    java.util.List<String> listed = java.util.Arrays.asList(line.group(1).trim().split("\\s+"));
    Matcher m = NAME.matcher(conf);
    int names = 0;
    while (m.find()) {
      names++;
      assertThat(listed).as("names listed for envsubst").contains("$" + m.group(1));
      assertThat(conf).as("the header explains %s", m.group(1)).contains("#   " + m.group(1));
    }
    assertThat(names).isPositive();
  }

  private static void assertValid(Path dir, Map<String, String> values) throws Exception {
    Path nginx = nginx();
    Files.createDirectories(dir.resolve("logs"));
    Path conf = dir.resolve("tandem.conf");
    Files.writeString(conf, render(Files.readString(DistPaths.ops("nginx").resolve("tandem.conf")), values));
    Process p = new ProcessBuilder(nginx.toString(), "-t", "-p", dir.toString(), "-c", conf.toString(), "-e", "stderr")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("nginx -t finished").isTrue();
    assertThat(p.exitValue()).as("nginx -t:%n%s", out).isZero();
    assertThat(out).contains("test is successful").doesNotContain("[warn]").doesNotContain("[emerg]");
  }

  /** The ${NAME}s replaced; a name without a value fails the test. */
  static String render(String template, Map<String, String> values) {
    Matcher m = NAME.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      assertThat(v).as("a value for ${%s}", m.group(1)).isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  static Path nginx() {
    Optional<Path> found = Optional.of(Path.of("/usr/sbin/nginx")).filter(Files::isExecutable);
    if (found.isPresent()) {
      return found.get();
    }
    String how = "nginx not found at /usr/sbin/nginx: apt-get install nginx-light (.ci/run does)";
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank()) {
      fail(how + "; required on CI (CI=" + ci + ")");
    }
    Assumptions.abort(how + "; skipped because CI is not set");
    throw new AssertionError("unreachable");
  }
}
