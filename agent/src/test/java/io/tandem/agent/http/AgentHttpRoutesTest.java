package io.tandem.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.agent.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Additional routes: dispatch by method and prefix, whole bodies, per-route body limits. */
class AgentHttpRoutesTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<HttpCall> lastCall = new AtomicReference<>();
  private AgentHttpServer server;

  @BeforeEach
  void start() throws Exception {
    AgentSnapshot standby = new AgentSnapshot("g", "a", "standby", false, 0, "b", 7, 3, 0, 0, 0,
        "STANDBY", 42, "", "127.0.0.1:7400", "standby", "standby", 0);
    List<HttpRoute> routes = List.of(
        new HttpRoute("PUT", "/v1/storage/", 1024, call -> {
          lastCall.set(call);
          return HttpReply.json(200, "{\"stored\":" + call.body().length + "}")
              .withHeader("ETag", "\"r1\"");
        }),
        HttpRoute.get("/v1/storage/", call -> HttpReply.text(200, "key " + call.pathAfter("/v1/storage/")
            + " q=" + call.query())),
        HttpRoute.get("/v1/storage/special/", call -> HttpReply.text(200, "special")),
        new HttpRoute("POST", "/v1/fail", 0, call -> {
          throw new IllegalStateException("disk full");
        }));
    server = AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> standby,
        new AgentMetrics("g", "a"), routes);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPutRouteGetsItsWholeBodyHeadersAndPath() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/storage/flows?x=1"))
        .header("X-Tandem-Token", "secret")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"stored\":7}\n");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("etag")).hasValue("\"r1\"");
    HttpCall call = lastCall.get();
    assertThat(call.method()).isEqualTo("PUT");
    assertThat(call.path()).isEqualTo("/v1/storage/flows");
    assertThat(call.query()).isEqualTo("x=1");
    assertThat(call.header("x-tandem-token")).isEqualTo("secret");
    assertThat(call.header("X-TANDEM-TOKEN")).isEqualTo("secret");
    assertThat(call.bodyText()).isEqualTo("{\"a\":1}");
  }

  @Test
  void theLongestPrefixWinsAndGetRoutesAnswerHead() throws Exception {
    assertThat(send(HttpRequest.newBuilder(uri("/v1/storage/k1?v=2"))).body())
        .isEqualTo("key k1 q=v=2\n");
    assertThat(send(HttpRequest.newBuilder(uri("/v1/storage/special/x"))).body())
        .isEqualTo("special\n");
    HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/v1/storage/k1"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aBodyOverTheRoutesLimitIs413AndTheHandlerDoesNotRun() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/storage/big"))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1025])));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("at most 1024 bytes");
    assertThat(lastCall.get()).isNull();
    // the same without a Content-Length (chunked): the limit holds while reading
    String reply = rawChunkedPut("/v1/storage/big", 4096);
    assertThat(reply).startsWith("HTTP/1.1 413");
    assertThat(lastCall.get()).isNull();
  }

  @Test
  void wrongMethodsAre405WithAllowAndUnknownPaths404() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/storage/k"))
        .DELETE());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("PUT, GET, HEAD");
    assertThat(send(HttpRequest.newBuilder(uri("/v2/x"))).statusCode()).isEqualTo(404);
    // built-in paths keep their own behaviour
    assertThat(send(HttpRequest.newBuilder(uri("/health"))
        .PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
  }

  @Test
  void aFailingHandlerAnswers500WithItsMessage() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/fail"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("disk full");
  }

  @Test
  void badRoutesAreRefusedAtStart() {
    assertThatThrownBy(() -> new HttpRoute("GET", "/", 0, c -> null))
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> new HttpRoute("PUT", "/v1/x", -1, c -> null))
        .hasMessageContaining("maxBodyBytes");
    assertThatThrownBy(() -> AgentHttpServer.start(new HostPort("127.0.0.1", 0), () -> null,
        new AgentMetrics("g", "a"), List.of(HttpRoute.get("/v1/a", c -> null),
            HttpRoute.get("/v1/a", c -> null))))
        .hasMessageContaining("two routes for GET /v1/a");
  }

  @Test
  void aTakenPortIsNamedInTheError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> AgentHttpServer.start(new HostPort("127.0.0.1", taken.getLocalPort()),
          () -> null, new AgentMetrics("g", "a")))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (http): ");
    }
  }

  private String rawChunkedPut(String path, int size) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("PUT " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[256];
      try {
        for (int sent = 0; sent < size; sent += chunk.length) {
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // the server may answer and close before the whole body is sent
      }
      InputStream in = s.getInputStream();
      return new String(in.readNBytes(12), StandardCharsets.US_ASCII);
    }
  }
}
