package io.tandem.common.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * For the class-data training runs (tandemctl's, the agent's): a coordinator's side of one TLS
 * handshake on a loopback port (TLS 1.3, a client certificate required, ALPN h2). It completes
 * {@code handshakes} handshakes, reads a little of what the client sends, and closes each
 * connection: a gRPC call over it fails, as intended; after the last one the port is closed.
 */
public final class HandshakeListener implements AutoCloseable {
  private final SSLServerSocket socket;
  private final AtomicInteger done = new AtomicInteger();

  /** Listens with {@code cert}/{@code key}, trusting the CA in {@code ca}; serves {@code handshakes}. */
  public HandshakeListener(Path ca, Path cert, Path key, int handshakes) throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(new KeyManager[] {new ReloadingKeyManager(cert, key)},
          new TrustManager[] {new CaTrust(ca, Set.of())}, null);
      socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
      SSLParameters p = socket.getSSLParameters();
      p.setNeedClientAuth(true);
      p.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(p);
      socket.setSoTimeout(3000);
    } catch (GeneralSecurityException e) {
      throw new IOException("no TLS listener for the training run: " + e, e);
    }
    Thread t = new Thread(() -> serve(handshakes), "cds-training-listener");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** Handshakes completed so far. */
  public int handshakes() {
    return done.get();
  }

  private void serve(int handshakes) {
    while (!socket.isClosed() && done.get() < handshakes) {
      try (SSLSocket s = (SSLSocket) socket.accept()) {
        s.startHandshake();
        if (done.incrementAndGet() >= handshakes) {
          socket.close();
        }
        s.setSoTimeout(200);
        InputStream in = s.getInputStream();
        in.read(new byte[512]); // the client's HTTP/2 preface; then close
      } catch (SocketTimeoutException e) {
        // no (further) client
      } catch (IOException e) {
        // closed by the client or by close(): done
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a listening socket
    }
  }
}
