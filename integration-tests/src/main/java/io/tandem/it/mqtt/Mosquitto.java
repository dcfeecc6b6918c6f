package io.tandem.it.mqtt;

import io.tandem.it.harness.HarnessException;
import io.tandem.it.harness.ManagedProcess;
import io.tandem.it.harness.Ports;
import io.tandem.it.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@code mosquitto} (Debian's package) listening on a free 127.0.0.1 port, anonymous, without
 * persistence, its config and log in its own directory; started and killed by PID.
 */
public final class Mosquitto implements AutoCloseable {
  /** What to tell a user who has no mosquitto. */
  public static final String INSTALL_HINT = "mosquitto is not installed: install it (Debian/Ubuntu:"
      + " apt-get install mosquitto) to measure the MQTT switchover";

  private final int port = Ports.free();
  private final ManagedProcess process;

  public Mosquitto(Path dir) {
    Path conf = dir.resolve("mosquitto.conf");
    try {
      Files.createDirectories(dir);
      Files.writeString(conf, String.join("\n",
          "listener " + port + " 127.0.0.1",
          "allow_anonymous true",
          "persistence false",
          "log_dest stdout",
          "log_type error",
          "log_type warning",
          "log_type notice",
          "connection_messages true",
          "log_timestamp_format %Y-%m-%dT%H:%M:%S",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + conf, e);
    }
    this.process = new ManagedProcess("mosquitto", List.of(executable().toString(), "-c", conf.toString()),
        Map.of(), dir, dir.resolve("mosquitto.log"));
  }

  /** The mosquitto in /usr/sbin, /usr/bin or on the PATH, or empty. */
  public static Optional<Path> find() {
    return io.tandem.it.harness.Executables.find(null, "mosquitto", "/usr/sbin", "/usr/bin");
  }

  private static Path executable() {
    return find().orElseThrow(() -> new HarnessException(INSTALL_HINT));
  }

  /** Starts it and waits until it accepts TCP connections. */
  public Mosquitto start() {
    process.start();
    Waits.until("mosquitto listening on 127.0.0.1:" + port, Duration.ofSeconds(20), Duration.ofMillis(20), () -> {
      process.assertAlive();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return Optional.of(true);
      } catch (IOException e) {
        return Optional.empty();
      }
    });
    return this;
  }

  public int port() {
    return port;
  }

  /** tcp://127.0.0.1:PORT */
  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public Path log() {
    return process.log();
  }

  @Override
  public void close() {
    process.kill();
  }
}
