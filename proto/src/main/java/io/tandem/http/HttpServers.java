package io.tandem.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Tandem's small HTTP servers (the agent's local API, the coordinator's /metrics) on Jetty: reads
 * are non-blocking, so idle or slow clients hold no thread, and limits close what stays too long.
 */
public final class HttpServers {
  /** A connection with no traffic for this long is closed. */
  public static final long IDLE_TIMEOUT_MILLIS = 5_000;
  /** A request (headers and body) must arrive within this long of its connection being ready. */
  public static final long REQUEST_TIMEOUT_MILLIS = 10_000;
  /** Request line plus headers; larger requests are refused with 431. */
  public static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;
  private static final int MAX_THREADS = 8;
  private static final int ACCEPT_QUEUE = 1024;

  static {
    // Jetty's start/stop INFO lines say nothing an operator needs; a -D setting still wins
    if (System.getProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    }
  }

  private HttpServers() {}

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving {@code handler}.
   *
   * @param what names the server in errors, e.g. "http" or "metrics"
   * @throws IOException "cannot listen on HOST:PORT (what): cause" if the address cannot be bound
   */
  public static Server start(String host, int port, String what, Handler handler) throws IOException {
    Server server = bind(host, port, what, handler);
    try {
      server.start();
    } catch (Exception e) {
      stop(server);
      throw new IOException("cannot start " + what + " server on " + host + ":" + port + ": "
          + rootMessage(e), e);
    }
    return server;
  }

  /** Binds the address now (so bind errors come early) without starting to serve. */
  public static Server bind(String host, int port, String what, Handler handler) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("tandem-" + what);
    threads.setDaemon(true);
    Server server = new Server(threads,
        new ScheduledExecutorScheduler("tandem-" + what + "-timer", true), null);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
    http.setSendServerVersion(false);
    http.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    // a burst of connects while the acceptor waits for a CPU must not overflow the backlog: a
    // dropped SYN costs the client (a load balancer's probe) a 1 s retransmission
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    server.addConnector(connector);
    server.setHandler(RequestDeadline.install(connector, REQUEST_TIMEOUT_MILLIS, handler));
    try {
      connector.open();
    } catch (IOException e) {
      stop(server);
      throw new IOException("cannot listen on " + host + ":" + port + " (" + what + "): "
          + rootMessage(e), e);
    }
    return server;
  }

  /**
   * Sends a whole response: status, Content-Type, Content-Length, {@code Cache-Control: no-store}
   * and the body (none for HEAD), then completes the callback.
   */
  public static void send(Request request, Response response, Callback callback, int status,
      String contentType, byte[] body) {
    response.setStatus(status);
    HttpFields.Mutable h = response.getHeaders();
    if (contentType != null) {
      h.put(HttpHeader.CONTENT_TYPE, contentType);
    }
    h.put(HttpHeader.CACHE_CONTROL, "no-store");
    h.put(HttpHeader.CONTENT_LENGTH, body.length);
    if (HttpMethod.HEAD.is(request.getMethod()) || body.length == 0) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  /** The port the server listens on. */
  public static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Stops the server and closes its port; never throws. */
  public static void stop(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping is best effort: the port is closed by then or the process exits
    }
    for (var c : server.getConnectors()) {
      if (c instanceof ServerConnector sc) {
        sc.close();
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
