package io.tandem.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real haproxy (Debian's /usr/sbin/haproxy, or -Dtandem.haproxy) running the shipped
 * ops/haproxy/tandem.cfg in the foreground, its addresses given through the config's environment
 * variables: the listen port and, per instance a and b, the Node-RED port and the agent's /active port.
 */
public final class Haproxy implements AutoCloseable {
  public static final Path SHIPPED_CONFIG = Path.of("ops", "haproxy", "tandem.cfg");
  private final ManagedProcess process;
  private final int port = Ports.free();

  /** One backend server of the config: a Node-RED port and the port its health check asks. */
  public record Target(int nodeRedPort, int checkPort) {}

  private Haproxy(Path binary, Path config, Target a, Target b, Path dir) {
    Map<String, String> env = Map.of("TANDEM_LISTEN", "127.0.0.1:" + port,
        "TANDEM_A_NODERED", "127.0.0.1:" + a.nodeRedPort(), "TANDEM_A_AGENT_HOST", "127.0.0.1",
        "TANDEM_A_AGENT_PORT", String.valueOf(a.checkPort()),
        "TANDEM_B_NODERED", "127.0.0.1:" + b.nodeRedPort(), "TANDEM_B_AGENT_HOST", "127.0.0.1",
        "TANDEM_B_AGENT_PORT", String.valueOf(b.checkPort()));
    this.process = new ManagedProcess("haproxy", List.of(binary.toString(), "-db", "-f", config.toString()), env, dir,
        dir.resolve("haproxy.log"));
  }

  /** The haproxy binary: -Dtandem.haproxy, /usr/sbin/haproxy, or haproxy on the PATH. */
  public static Optional<Path> binary() {
    return Executables.find("tandem.haproxy", "haproxy", "/usr/sbin");
  }

  /** The shipped config, from the repository root. */
  public static Path shippedConfig() {
    return Repo.root().resolve(SHIPPED_CONFIG);
  }

  /** Starts haproxy with {@code config} in front of a and b; returns once it accepts connections. */
  public static Haproxy start(Path config, Target a, Target b, Path dir) {
    Path bin = binary().orElseThrow(() -> new HarnessException(
        "haproxy not found (apt-get install haproxy, or -Dtandem.haproxy=/path/to/haproxy)"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Haproxy h = new Haproxy(bin, config, a, b, dir);
    h.process.start();
    h.process.awaitListening(h.port, Duration.ofSeconds(10));
    return h;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.kill();
  }
}
