package io.tandem.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request deadline, with a short one (800 ms) so that each case takes about a second. */
class RequestDeadlineTest {
  private static final long DEADLINE = 800;
  private Server server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(30_000); // only the deadline can close anything here
    server.addConnector(connector);
    server.setHandler(RequestDeadline.install(connector, DEADLINE, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String body = Content.Source.asString(request); // blocking read: the deadline covers it
        RequestDeadline.received(request);
        if (Request.getPathInContext(request).equals("/slow-handler")) {
          Thread.sleep(2 * DEADLINE); // longer than the deadline, after the request arrived
        }
        HttpServers.send(request, response, callback, 200, "text/plain",
            ("got " + body.length() + "\n").getBytes(StandardCharsets.UTF_8));
        return true;
      }
    }));
    server.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() {
    HttpServers.stop(server);
  }

  @Test
  void headersTrickledPastTheDeadlineCloseTheConnection() throws Exception {
    try (Socket s = socket()) {
      long t0 = System.nanoTime();
      assertThat(trickleUntilClosed(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaa"))
          .isTrue();
      long lived = (System.nanoTime() - t0) / 1_000_000;
      assertThat(lived).isBetween(DEADLINE - 100, DEADLINE + 1_500);
    }
  }

  @Test
  void aBodyTrickledPastTheDeadlineClosesTheConnection() throws Exception {
    try (Socket s = socket()) {
      s.getOutputStream().write("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(trickleUntilClosed(s, "b".repeat(100))).isTrue();
    }
  }

  @Test
  void theDeadlineStartsAgainAfterEachAnswerOnAKeptAliveConnection() throws Exception {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      // six exchanges take longer than one deadline together; each gap leaves 3/4 of the deadline
      // for scheduling (a loaded 2-core machine once overslept DEADLINE / 2 past the deadline)
      for (int i = 0; i < 6; i++) {
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
        Thread.sleep(DEADLINE / 4);
      }
      long t0 = System.nanoTime();
      assertThat(trickleUntilClosed(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa"))
          .isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(DEADLINE + 1_500);
    }
  }

  @Test
  void aHandlerMayTakeLongerThanTheDeadlineOnceItHasTheRequest() throws Exception {
    try (Socket s = socket()) {
      s.getOutputStream().write("PUT /slow-handler HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
          .getBytes(StandardCharsets.US_ASCII));
      String reply = readResponse(s.getInputStream());
      assertThat(reply).startsWith("HTTP/1.1 200").endsWith("got 3\n");
    }
  }

  private Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends {@code text} a byte every 100 ms; true if the server closed the connection first. */
  private static boolean trickleUntilClosed(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    s.setSoTimeout(100);
    for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
      try {
        out.write(b);
        out.flush();
        if (s.getInputStream().read() < 0) {
          return true;
        }
      } catch (java.net.SocketTimeoutException e) {
        continue; // still open
      } catch (SocketException e) {
        return true; // reset by the server
      }
    }
    return false;
  }

  /** Reads one response with a Content-Length body. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
  }
}
