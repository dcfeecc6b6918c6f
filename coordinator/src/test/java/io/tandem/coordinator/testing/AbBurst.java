package io.tandem.coordinator.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ab -n N -c C URL} does: one thread keeps C requests in flight, each on a fresh
 * connection (HTTP/1.0, the server closes after the response), until N have been answered.
 * Like ab it runs as a process of its own ({@link #inProcess}), at the lowest CPU priority: the
 * burst's clients would be on other hosts, so their CPU must not be taken from the server's.
 */
public final class AbBurst {
  /** The outcome: answered with the expected status, anything else, and the wall time. */
  public record Result(int ok, int failed, long millis) {}

  /** {@code PORT PATH EXPECTED_STATUS REQUESTS CONCURRENCY MAX_MILLIS}; prints the result. */
  public static void main(String[] args) throws IOException {
    AbBurst burst = new AbBurst(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
        args[1], Integer.parseInt(args[2]));
    Result r = burst.run(Integer.parseInt(args[3]), Integer.parseInt(args[4]),
        System.nanoTime() + Long.parseLong(args[5]) * 1_000_000);
    System.out.println("ab-burst " + r.ok() + " " + r.failed() + " " + r.millis());
  }

  /** Runs a burst in a child JVM under {@code nice -n 19}; ends it after {@code maxMillis}. */
  static Result inProcess(int port, String path, int expectedStatus, int requests, int concurrency,
      long maxMillis) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    if (new File("/usr/bin/nice").canExecute()) {
      command.addAll(List.of("/usr/bin/nice", "-n", "19"));
    }
    command.addAll(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), AbBurst.class.getName(), String.valueOf(port), path,
        String.valueOf(expectedStatus), String.valueOf(requests), String.valueOf(concurrency),
        String.valueOf(maxMillis)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(maxMillis + 10_000, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        throw new IOException("the burst process failed: " + out);
      }
      for (String line : out.split("\n")) {
        if (line.startsWith("ab-burst ")) {
          String[] f = line.trim().split(" ");
          return new Result(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]));
        }
      }
      throw new IOException("the burst process printed no result: " + out);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private final InetSocketAddress address;
  private final byte[] request;
  private final int expectedStatus;
  private int started;
  private int ok;
  private int failed;

  AbBurst(InetSocketAddress address, String path, int expectedStatus) {
    this.address = address;
    this.request = ("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: ab-style\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    this.expectedStatus = expectedStatus;
  }

  /** One request on its own connection: what is left to write and what has been read. */
  private final class Exchange {
    final ByteBuffer out = ByteBuffer.wrap(request);
    final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    int status = -1;
  }

  Result run(int requests, int concurrency, long endNanos) throws IOException {
    long t0 = System.nanoTime();
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < concurrency && started < requests; i++) {
        start(selector);
      }
      while (ok + failed < started && System.nanoTime() - endNanos < 0) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          if (!step(key) && started < requests) {
            start(selector);
          }
        }
        selector.selectedKeys().clear();
      }
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
    }
    return new Result(ok, failed + (started - ok - failed), (System.nanoTime() - t0) / 1_000_000);
  }

  private void start(Selector selector) throws IOException {
    started++;
    SocketChannel ch = SocketChannel.open();
    ch.configureBlocking(false);
    ch.connect(address);
    ch.register(selector, SelectionKey.OP_CONNECT, new Exchange());
  }

  /** Advances one exchange; false once it has ended (and its connection is closed). */
  private boolean step(SelectionKey key) throws IOException {
    SocketChannel ch = (SocketChannel) key.channel();
    Exchange x = (Exchange) key.attachment();
    try {
      if (key.isConnectable()) {
        ch.finishConnect();
        key.interestOps(SelectionKey.OP_WRITE);
      } else if (key.isWritable()) {
        ch.write(x.out);
        if (!x.out.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
      } else if (key.isReadable()) {
        int n = ch.read(x.in);
        if (x.status < 0 && x.in.position() >= 12) {
          x.status = status(x.in);
        }
        if (!x.in.hasRemaining()) {
          x.in.clear(); // only the status line is checked
        }
        if (n < 0) {
          end(key, x.status == expectedStatus);
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      end(key, false);
      return false;
    }
  }

  private void end(SelectionKey key, boolean success) throws IOException {
    key.cancel();
    key.channel().close();
    if (success) {
      ok++;
    } else {
      failed++;
    }
  }

  private static int status(ByteBuffer in) {
    String head = new String(in.array(), 0, Math.min(in.position(), 12), StandardCharsets.US_ASCII);
    return head.startsWith("HTTP/1.1 ") || head.startsWith("HTTP/1.0 ")
        ? Integer.parseInt(head.substring(9, 12)) : -1;
  }
}
