package io.tandem.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.common.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Garbage bytes, truncated requests, an oversized header and an oversized body on the agent's HTTP
 * port: the server keeps running, answers /health, /active and /status as before, and the route
 * with a body (as the storage routes have) never sees any of them.
 */
class AgentHttpGarbageTest {
  private static final String TOKEN = "s3cret-token-for-the-local-api";

  @Test
  void garbageLeavesTheLocalApiRunningAndReachesNoRoute() throws Exception {
    AgentSnapshot standby = new AgentSnapshot("g", "a", "standby", false, 0, "b", 7, 3, 0, 0, 0,
        "STANDBY", 42, "", "127.0.0.1:7400", "standby", "standby", 0);
    AgentMetrics metrics = new AgentMetrics("g", "a");
    metrics.bind(() -> standby);
    AtomicInteger routeCalls = new AtomicInteger();
    List<HttpRoute> routes = List.of(new HttpRoute("PUT", "/v1/storage/", 1024, call -> {
      routeCalls.incrementAndGet();
      return HttpReply.text(200, "stored\n");
    }));
    try (AgentHttpServer server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> standby, metrics,
        routes, BearerToken.of(TOKEN))) {
      int port = server.port();
      String statusBefore = get(port, "/status").body();
      byte[] random = new byte[8192];
      new Random(7).nextBytes(random);
      List<String> reactions = new ArrayList<>();
      reactions.add(send(port, random));
      reactions.add(send(port, ascii("PUT /v1/storage/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")));
      reactions.add(send(port, ascii("PUT /v1/storage/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741824\r\n\r\n"
          + "x".repeat(5000))));
      reactions.add(send(port, ascii("PUT /v1/storage/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "fffffff\r\nabc")));
      reactions.add(send(port, ascii("GET /status HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n")));
      reactions.add(send(port, ascii("GET /sta")));
      reactions.add(send(port, ascii("\u0000\u0001 / HTTP/9.9\r\n\r\n")));
      System.out.println("agent HTTP reactions: " + reactions);
      assertThat(reactions.get(2)).as("a body over the route's limit").isEqualTo("HTTP/1.1 413 Payload Too Large");
      assertThat(reactions.get(4)).as("a 1 MB header").startsWith("HTTP/1.1 431");

      assertThat(routeCalls).as("no garbage reached the route").hasValue(0);
      assertThat(get(port, "/health").statusCode()).isEqualTo(200);
      assertThat(get(port, "/active").statusCode()).isEqualTo(503);
      assertThat(get(port, "/status").body()).isEqualTo(statusBefore);
      HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/storage/x")).PUT(HttpRequest.BodyPublishers.ofString("ok"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).isEqualTo(200);
      assertThat(routeCalls).hasValue(1);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Writes {@code bytes}, closes the output side, and reads the first line of the answer (up to 1 s).
   * A server may answer and close before all of a large request is written (the 431 after the
   * header limit): the write then fails, and the answer is still read, as an HTTP client reads an
   * early response (under load the close came before the last write in 1 of 3 runs).
   */
  private static String send(int port, byte[] bytes) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      boolean closedWhileWriting = false;
      try {
        out.write(bytes);
        out.flush();
        s.shutdownOutput();
      } catch (SocketException closedByServer) {
        closedWhileWriting = true;
      }
      String answer = firstLine(s.getInputStream());
      return closedWhileWriting && !answer.startsWith("HTTP/") ? "closed-while-writing (" + answer + ")" : answer;
    }
  }

  private static String firstLine(InputStream in) throws IOException {
    StringBuilder first = new StringBuilder();
    try {
      int c;
      while ((c = in.read()) >= 0 && c != '\r' && first.length() < 100) {
        first.append((char) c);
      }
      return first.toString();
    } catch (SocketTimeoutException e) {
      return "no answer: " + first;
    } catch (SocketException e) {
      return "reset: " + first;
    }
  }
}
