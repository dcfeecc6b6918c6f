package io.tandem.it.redislock;

import io.tandem.it.harness.HarnessException;
import io.tandem.it.harness.ManagedProcess;
import io.tandem.it.harness.Ports;
import io.tandem.it.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@code redis-server} (Debian's package) on a free 127.0.0.1 port, in its own directory,
 * without persistence (no RDB snapshots, no AOF): the store of the cluster-leader baseline.
 */
public final class RedisServer implements AutoCloseable {
  /** What to tell a user who has no redis-server. */
  public static final String INSTALL_HINT = "redis-server is not installed: install it (Debian/Ubuntu:"
      + " apt-get install redis-server) to measure the Redis lock of node-red-contrib-cluster-leader";

  private final int port = Ports.free();
  private final ManagedProcess process;

  public RedisServer(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    this.process = new ManagedProcess("redis-server", List.of(executable().toString(), "--port",
        Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
        "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"), Map.of(), dir, dir.resolve("redis.log"));
  }

  /** The redis-server in /usr/bin, /usr/sbin or on the PATH, or empty. */
  public static Optional<Path> find() {
    return io.tandem.it.harness.Executables.find(null, "redis-server", "/usr/bin", "/usr/sbin");
  }

  private static Path executable() {
    return find().orElseThrow(() -> new HarnessException(INSTALL_HINT));
  }

  /** Starts it and waits until it answers PING. */
  public RedisServer start() {
    process.start();
    Waits.until("redis-server answering on 127.0.0.1:" + port, Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      process.assertAlive();
      return ping() ? Optional.of(true) : Optional.empty();
    });
    return this;
  }

  private boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(500);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] b = new byte[7];
      int n = s.getInputStream().read(b);
      return n > 0 && new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    process.kill();
  }
}
