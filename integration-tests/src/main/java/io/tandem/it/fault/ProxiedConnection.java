package io.tandem.it.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection through a {@link TcpProxy} and its upstream connection to the target.
 * Per direction a reader thread moves chunks into a bounded queue and a writer thread delivers
 * them when the proxy lets it. End of stream is passed on as a half close; any error resets both
 * sockets.
 */
final class ProxiedConnection {
  static final int CHUNK = 16 * 1024;
  /** Chunks queued per direction: at most 512 KiB held per direction. */
  static final int QUEUE_CHUNKS = 32;
  private static final byte[] EOF = new byte[0];

  private record Chunk(byte[] data, long readAtNanos) {}

  private final TcpProxy proxy;
  private final ProxyGate gate;
  private final Socket client;
  private final String label;
  private final AtomicBoolean aborted = new AtomicBoolean();
  private final AtomicInteger halfClosed = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile Socket upstream;
  /** Set by a freeze on the connections open at that moment; written under the gate's lock. */
  volatile boolean frozen;

  ProxiedConnection(TcpProxy proxy, ProxyGate gate, Socket client, long number) {
    this.proxy = proxy;
    this.gate = gate;
    this.client = client;
    this.label = "proxy-" + proxy.name() + "-" + number;
  }

  void start() {
    Thread t = new Thread(this::connectAndRun, label + "-c2s-read");
    t.setDaemon(true);
    synchronized (threads) {
      threads.add(t);
    }
    t.start();
  }

  boolean isConnected() {
    return upstream != null;
  }

  boolean isAborted() {
    return aborted.get();
  }

  /** Runs on the first thread: waits while the proxy holds new connections, then connects. */
  private void connectAndRun() {
    try {
      client.setTcpNoDelay(true);
      if (!gate.awaitConnectable(this)) {
        abort();
        return;
      }
      Socket up = new Socket();
      up.setTcpNoDelay(true);
      up.connect(proxy.target(), TcpProxy.CONNECT_TIMEOUT_MS);
      upstream = up;
      if (aborted.get()) { // aborted while connecting
        resetQuietly(up);
        return;
      }
      BlockingQueue<Chunk> c2s = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
      BlockingQueue<Chunk> s2c = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
      spawn("-c2s-write", () -> write(Direction.CLIENT_TO_SERVER, c2s, up));
      spawn("-s2c-read", () -> read(Direction.SERVER_TO_CLIENT, up, s2c));
      spawn("-s2c-write", () -> write(Direction.SERVER_TO_CLIENT, s2c, client));
      read(Direction.CLIENT_TO_SERVER, client, c2s);
    } catch (IOException e) {
      abort(); // target unreachable: the client sees a reset, as from a refusing peer
    } catch (InterruptedException e) {
      abort();
    }
  }

  private void spawn(String suffix, Runnable r) {
    Thread t = new Thread(r, label + suffix);
    t.setDaemon(true);
    synchronized (threads) {
      if (aborted.get()) {
        return;
      }
      threads.add(t);
    }
    t.start();
  }

  private void read(Direction d, Socket from, BlockingQueue<Chunk> queue) {
    byte[] buf = new byte[CHUNK];
    try {
      InputStream in = from.getInputStream();
      while (gate.awaitFlow(this, d)) {
        int n = in.read(buf);
        if (n < 0) {
          queue.put(new Chunk(EOF, System.nanoTime()));
          return;
        }
        byte[] data = new byte[n];
        System.arraycopy(buf, 0, data, 0, n);
        queue.put(new Chunk(data, System.nanoTime()));
      }
    } catch (IOException | InterruptedException e) {
      abort();
    }
  }

  private void write(Direction d, BlockingQueue<Chunk> queue, Socket to) {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk chunk = queue.take();
        if (!gate.awaitDelivery(this, d, chunk.readAtNanos())) {
          return;
        }
        if (chunk.data() == EOF) {
          to.shutdownOutput();
          if (halfClosed.incrementAndGet() == 2) {
            closeGracefully();
          }
          return;
        }
        out.write(chunk.data());
        out.flush();
        proxy.forwarded(d, chunk.data().length);
      }
    } catch (IOException | InterruptedException e) {
      abort();
    }
  }

  /** Both sides ended their streams: a normal close. */
  private void closeGracefully() {
    if (aborted.compareAndSet(false, true)) {
      closeQuietly(client);
      closeQuietly(upstream);
      proxy.removed(this);
    }
  }

  /** Resets both sockets (RST, not FIN) and stops this connection's threads. */
  void abort() {
    if (!aborted.compareAndSet(false, true)) {
      return;
    }
    resetQuietly(client);
    Socket up = upstream;
    if (up != null) {
      resetQuietly(up);
    }
    proxy.removed(this);
    List<Thread> all;
    synchronized (threads) {
      all = List.copyOf(threads);
    }
    for (Thread t : all) {
      if (t != Thread.currentThread()) {
        t.interrupt();
      }
    }
  }

  static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing left to free
    }
  }
}
