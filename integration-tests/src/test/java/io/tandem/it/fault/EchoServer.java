package io.tandem.it.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A tiny TCP echo server on 127.0.0.1 for proxy tests; counts what it receives. */
final class EchoServer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong eofs = new AtomicLong();
  private final boolean echo;

  /** {@code echo=false}: accepts and never reads (a stuck peer, for back-pressure tests). */
  EchoServer(boolean echo) throws IOException {
    this.echo = echo;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "echo-accept");
    t.setDaemon(true);
    t.start();
  }

  EchoServer() throws IOException {
    this(true);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  long received() {
    return received.get();
  }

  long eofs() {
    return eofs.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        if (echo) {
          Thread t = new Thread(() -> serve(s), "echo-conn");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    byte[] buf = new byte[8192];
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        received.addAndGet(n);
        out.write(buf, 0, n);
        out.flush();
      }
      eofs.incrementAndGet();
    } catch (IOException e) {
      // the client or the proxy reset the connection
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
