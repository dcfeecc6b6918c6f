package io.tandem.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real nginx (Debian's /usr/sbin/nginx, or -Dtandem.nginx) running the shipped
 * ops/nginx/tandem.conf as a child process in the foreground ({@code -p DIR -c FILE -e stderr
 * -g 'daemon off;'}), its ${TANDEM_...} names rendered the way envsubst would: the listen address
 * and, per instance a and b, the Node-RED address and the agent API's address. Its pid, logs and
 * temp folders are in DIR.
 */
public final class Nginx implements AutoCloseable {
  public static final Path SHIPPED_CONFIG = Path.of("ops", "nginx", "tandem.conf");
  private static final Pattern NAME = Pattern.compile("\\$\\{(TANDEM_[A-Z_]+)}");
  private final ManagedProcess process;
  private final int port = Ports.free();

  private Nginx(Path binary, Path rendered, Path dir) {
    this.process = new ManagedProcess("nginx", List.of(binary.toString(), "-p", dir.toString(), "-c",
        rendered.toString(), "-e", "stderr", "-g", "daemon off;"), Map.of(), dir, dir.resolve("nginx.log"));
  }

  /** The nginx binary: -Dtandem.nginx, /usr/sbin/nginx, or nginx on the PATH. */
  public static Optional<Path> binary() {
    return Executables.find("tandem.nginx", "nginx", "/usr/sbin");
  }

  /** The shipped config, from the repository root. */
  public static Path shippedConfig() {
    return Repo.root().resolve(SHIPPED_CONFIG);
  }

  /** {@code template} with every ${TANDEM_...} replaced from {@code values}; a name without a value fails. */
  public static String render(String template, Map<String, String> values) {
    Matcher m = NAME.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new HarnessException("no value for ${" + m.group(1) + "} in the nginx config");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  /**
   * Starts nginx with {@code config} in front of a and b (Node-RED port, agent API port); returns
   * once it accepts connections.
   */
  public static Nginx start(Path config, Haproxy.Target a, Haproxy.Target b, Path dir) {
    Path bin = binary().orElseThrow(() -> new HarnessException(
        "nginx not found (apt-get install nginx-light, or -Dtandem.nginx=/path/to/nginx)"));
    Nginx n;
    try {
      Files.createDirectories(dir.resolve("logs"));
      Path rendered = dir.resolve("tandem.conf");
      n = new Nginx(bin, rendered, dir);
      Files.writeString(rendered, render(Files.readString(config), Map.of("TANDEM_LISTEN", "127.0.0.1:" + n.port,
          "TANDEM_A_NODERED", "127.0.0.1:" + a.nodeRedPort(), "TANDEM_A_AGENT", "127.0.0.1:" + a.checkPort(),
          "TANDEM_B_NODERED", "127.0.0.1:" + b.nodeRedPort(), "TANDEM_B_AGENT", "127.0.0.1:" + b.checkPort())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    n.process.start();
    n.process.awaitListening(n.port, Duration.ofSeconds(10));
    return n;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public ManagedProcess process() {
    return process;
  }

  /** Kills the master and its workers (by pid: the process tree). */
  @Override
  public void close() {
    process.kill();
  }
}
