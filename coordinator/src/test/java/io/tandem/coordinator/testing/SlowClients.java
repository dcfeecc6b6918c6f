package io.tandem.coordinator.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * Slow and stalled clients on one selector thread: a slow one sends a request's headers a byte at
 * a time and never finishes them; a stalled one sends the first lines of a request and then
 * nothing (the two connections that took the old server down). Each connection the
 * server closes (EOF or reset) is replaced at once, so their number stays constant; the time
 * each one lived is recorded.
 */
final class SlowClients {
  /** Lifetimes (ms, sorted) of the connections the server closed; the oldest left open (ms). */
  record Result(List<Long> slowLived, List<Long> stalledLived, long oldestSlowOpen,
      long oldestStalledOpen) {}

  private final InetSocketAddress address;
  private final byte[] start;
  private final byte[] stalledPart;
  private final long everyNanos;
  private final List<Long> slowLived = new ArrayList<>();
  private final List<Long> stalledLived = new ArrayList<>();

  SlowClients(InetSocketAddress address, String path, long everyNanos) {
    this.address = address;
    this.start = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .getBytes(StandardCharsets.US_ASCII);
    this.stalledPart = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    this.everyNanos = everyNanos;
  }

  /** One client connection. */
  private static final class Client {
    final SocketChannel channel;
    final boolean slow;
    final long openedAt = System.nanoTime();
    long nextWriteAt;
    int written;

    Client(SocketChannel channel, boolean slow, long nextWriteAt) {
      this.channel = channel;
      this.slow = slow;
      this.nextWriteAt = nextWriteAt;
    }

    long ageMillis() {
      return (System.nanoTime() - openedAt) / 1_000_000;
    }
  }

  /** Keeps the clients going until {@code stop} says so; counts {@code open} down once all are. */
  Result run(int slow, int stalled, CountDownLatch open, BooleanSupplier stop) throws IOException {
    long oldestSlow = 0;
    long oldestStalled = 0;
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < slow + stalled; i++) {
        open(selector, i < slow, System.nanoTime() + everyNanos * i / Math.max(1, slow));
      }
      open.countDown();
      ByteBuffer readBuf = ByteBuffer.allocate(4096);
      while (!stop.getAsBoolean()) {
        selector.select(20);
        for (SelectionKey key : selector.selectedKeys()) {
          readBuf.clear();
          int n;
          try {
            n = ((SocketChannel) key.channel()).read(readBuf);
          } catch (IOException e) {
            n = -1; // reset by the server
          }
          if (n < 0) {
            closedByServer(selector, key);
          }
        }
        selector.selectedKeys().clear();
        long now = System.nanoTime();
        for (SelectionKey key : List.copyOf(selector.keys())) {
          Client c = (Client) key.attachment();
          if (key.isValid() && c.slow && now - c.nextWriteAt >= 0) {
            trickle(selector, key, c);
          }
        }
      }
      for (SelectionKey key : selector.keys()) {
        Client c = (Client) key.attachment();
        if (c.slow) {
          oldestSlow = Math.max(oldestSlow, c.ageMillis());
        } else {
          oldestStalled = Math.max(oldestStalled, c.ageMillis());
        }
        key.channel().close();
      }
    }
    Collections.sort(slowLived);
    Collections.sort(stalledLived);
    return new Result(slowLived, stalledLived, oldestSlow, oldestStalled);
  }

  private void trickle(Selector selector, SelectionKey key, Client c) throws IOException {
    byte b = c.written < start.length ? start[c.written] : (byte) 'a';
    try {
      if (c.channel.write(ByteBuffer.wrap(new byte[] {b})) == 1) {
        c.written++;
      }
      c.nextWriteAt = System.nanoTime() + everyNanos;
    } catch (IOException e) {
      closedByServer(selector, key); // closed by the server since the last read
    }
  }

  private void closedByServer(Selector selector, SelectionKey key) throws IOException {
    if (!key.isValid()) {
      return;
    }
    Client c = (Client) key.attachment();
    key.cancel();
    c.channel.close();
    (c.slow ? slowLived : stalledLived).add(c.ageMillis());
    open(selector, c.slow, System.nanoTime());
  }

  private void open(Selector selector, boolean slow, long firstWriteAt) throws IOException {
    SocketChannel ch = SocketChannel.open(address);
    if (!slow) {
      ch.write(ByteBuffer.wrap(stalledPart)); // blocking: the whole part goes out
    }
    ch.configureBlocking(false);
    ch.register(selector, SelectionKey.OP_READ, new Client(ch, slow, firstWriteAt));
  }
}
