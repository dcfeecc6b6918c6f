package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe's blocking keep-alive client against a scripted HTTP/1.1 server on 127.0.0.1. */
class FlowsStateProbeTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
      + "{\"state\":\"start\"}";
  private ServerSocket server;
  private FlowsStateProbe probe;

  @BeforeEach
  void listen() throws Exception {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    server.setSoTimeout(5000);
    probe = new FlowsStateProbe(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/admin/"), "tok",
        "x-tandem-token", null);
  }

  @AfterEach
  void close() throws Exception {
    probe.close();
    server.close();
  }

  private static long in(long ms) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
  }

  private static String readRequest(BufferedReader r) throws Exception {
    StringBuilder b = new StringBuilder();
    for (String l = r.readLine(); l != null && !l.isEmpty(); l = r.readLine()) {
      b.append(l).append('\n');
    }
    return b.toString();
  }

  @Test
  void reusesOneConnectionAndSendsTheToken() throws Exception {
    probe.send();
    try (Socket s = server.accept()) {
      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = s.getOutputStream();
      String req = readRequest(r);
      assertThat(req).startsWith("GET /admin/flows/state HTTP/1.1\n").contains("x-tandem-token: tok\n");
      out.write(OK.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(probe.await(in(2000))).isEqualTo("start");
      probe.send();
      readRequest(r);
      out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"state\":\"stop\"}\r\n0\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(probe.await(in(2000))).isEqualTo("stop");
    }
  }

  @Test
  void aLateReplyIsATimeoutThenStillArrivesOnTheSameConnection() throws Exception {
    probe.send();
    try (Socket s = server.accept()) {
      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      readRequest(r);
      assertThatThrownBy(() -> probe.await(in(100))).isInstanceOf(HttpTimeoutException.class);
      assertThat(probe.isOpen()).isTrue();
      s.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(probe.await(in(2000))).isEqualTo("start");
    }
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsOpenedAgainWithoutAMiss() throws Exception {
    probe.send();
    try (Socket s = server.accept()) {
      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      readRequest(r);
      s.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(probe.await(in(2000))).isEqualTo("start");
    } // closed by the server, as Node.js does after its keep-alive timeout
    Thread.sleep(50);
    probe.send();
    Thread answer = new Thread(() -> {
      try (Socket s = server.accept()) {
        readRequest(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)));
        s.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
        Thread.sleep(200);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    answer.start();
    assertThat(probe.await(in(3000))).isEqualTo("start");
    answer.join(5000);
  }

  @Test
  void anHttpErrorIsAControlExceptionWithItsStatus() throws Exception {
    probe.send();
    try (Socket s = server.accept()) {
      readRequest(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)));
      s.getOutputStream().write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauthorized"
          .getBytes(StandardCharsets.ISO_8859_1));
      assertThatThrownBy(() -> probe.await(in(2000))).isInstanceOf(RuntimeControlException.class)
          .hasMessageContaining("HTTP 401").hasMessageContaining("adminAuth");
    }
  }
}
