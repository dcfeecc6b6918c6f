package io.tandem.it.fault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  private static final Duration STALL = Duration.ofMillis(400);
  private static final Duration AT_MOST = Duration.ofSeconds(10);

  private EchoServer echo;
  private TcpProxy proxy;
  private final List<Socket> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    echo = new EchoServer();
    proxy = TcpProxy.start("test", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo.address());
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    clients.add(s);
    s.connect(proxy.address(), 2000);
    s.setSoTimeout((int) STALL.toMillis());
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(UTF_8));
    s.getOutputStream().flush();
  }

  /** Reads exactly {@code n} bytes, waiting at most {@code within} overall. */
  private static String read(Socket s, int n, Duration within) throws IOException {
    long end = System.nanoTime() + within.toNanos();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[n];
    while (got.size() < n) {
      try {
        int r = in.read(buf, 0, n - got.size());
        if (r < 0) {
          throw new IOException("end of stream after " + got.size() + " bytes");
        }
        got.write(buf, 0, r);
      } catch (SocketTimeoutException e) {
        if (System.nanoTime() > end) {
          throw e;
        }
      }
    }
    return got.toString(UTF_8);
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    send(s, text);
    return read(s, text.length(), AT_MOST);
  }

  private static void assertNoReply(Socket s) {
    assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void passesBytesBothWaysAndCountsThem() throws IOException {
    Socket s = connect();
    assertThat(roundTrip(s, "hello")).isEqualTo("hello");
    // counted just after the write, so possibly a moment after the echo arrived
    await().atMost(AT_MOST).until(() -> proxy.bytesForwarded(Direction.SERVER_TO_CLIENT) == 5);
    await().atMost(AT_MOST).until(() -> proxy.bytesForwarded(Direction.CLIENT_TO_SERVER) == 5);
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void delayAddsLatencyInEachDirection() throws IOException {
    Socket s = connect();
    proxy.delay(Duration.ofMillis(150), Duration.ofMillis(100));
    long t0 = System.nanoTime();
    assertThat(roundTrip(s, "slow")).isEqualTo("slow");
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(tookMs).isGreaterThanOrEqualTo(250);
    proxy.heal();
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // the best of three, so a scheduling hiccup does not count
      t0 = System.nanoTime();
      assertThat(roundTrip(s, "fast")).isEqualTo("fast");
      fastest = Math.min(fastest, (System.nanoTime() - t0) / 1_000_000);
    }
    assertThat(fastest).isLessThan(250);
  }

  @Test
  void partitionStallsExistingAndHoldsNewConnectionsUntilHealed() throws IOException {
    Socket old = connect();
    assertThat(roundTrip(old, "a")).isEqualTo("a");
    proxy.partition();
    send(old, "b");
    assertNoReply(old);
    Socket fresh = connect(); // accepted, but not connected to the target
    send(fresh, "c");
    assertNoReply(fresh);
    assertThat(echo.received()).isEqualTo(1);

    proxy.heal();
    assertThat(read(old, 1, AT_MOST)).isEqualTo("b"); // held, not lost
    assertThat(read(fresh, 1, AT_MOST)).isEqualTo("c");
  }

  @Test
  void refuseResetsNewConnectionsAndStallsExistingOnes() throws IOException {
    Socket old = connect();
    assertThat(roundTrip(old, "a")).isEqualTo("a");
    proxy.refuse();
    assertThatThrownBy(() -> read(connect(), 1, AT_MOST)) // reset during connect or first read
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(SocketTimeoutException.class);
    send(old, "b");
    assertNoReply(old);
    proxy.heal();
    assertThat(read(old, 1, AT_MOST)).isEqualTo("b");
    assertThat(roundTrip(connect(), "new")).isEqualTo("new");
  }

  @Test
  void refuseDropsConnectionsHeldByAnEarlierPartition() throws IOException {
    proxy.partition();
    Socket held = connect();
    await().atMost(AT_MOST).until(() -> proxy.openConnections() == 1);
    proxy.refuse();
    assertThatThrownBy(() -> read(held, 1, AT_MOST)).isNotInstanceOf(SocketTimeoutException.class);
    assertThat(proxy.openConnections()).isZero();
  }

  @Test
  void oneWayClientToServerDeliversRequestsButHoldsReplies() throws IOException {
    Socket s = connect();
    proxy.oneWay(Direction.CLIENT_TO_SERVER);
    send(s, "req");
    await().atMost(AT_MOST).until(() -> echo.received() == 3);
    assertNoReply(s);
    proxy.heal();
    assertThat(read(s, 3, AT_MOST)).isEqualTo("req");
  }

  @Test
  void oneWayServerToClientHoldsRequests() throws IOException {
    Socket s = connect();
    proxy.oneWay(Direction.SERVER_TO_CLIENT);
    send(s, "req");
    assertNoReply(s);
    assertThat(echo.received()).isZero();
    proxy.heal();
    assertThat(read(s, 3, AT_MOST)).isEqualTo("req");
  }

  @Test
  void freezeStallsOpenConnectionsButLetsNewOnesPass() throws IOException {
    Socket old = connect();
    assertThat(roundTrip(old, "a")).isEqualTo("a");
    proxy.freeze();
    send(old, "b");
    assertNoReply(old);
    assertThat(roundTrip(connect(), "fresh")).isEqualTo("fresh");
    assertThat(old.isClosed()).isFalse();
    proxy.heal();
    assertThat(read(old, 1, AT_MOST)).isEqualTo("b");
  }

  @Test
  void resetClosesEveryConnectionWithRst() throws IOException {
    Socket a = connect();
    Socket b = connect();
    assertThat(roundTrip(a, "x")).isEqualTo("x");
    assertThat(roundTrip(b, "y")).isEqualTo("y");
    assertThat(proxy.reset()).isEqualTo(2);
    assertThatThrownBy(() -> a.getInputStream().read())
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("reset");
    assertThat(proxy.openConnections()).isZero();
    assertThat(roundTrip(connect(), "again")).isEqualTo("again"); // mode unchanged: PASS
  }

  @Test
  void halfCloseIsPassedOn() throws IOException {
    Socket s = connect();
    send(s, "bye");
    s.shutdownOutput();
    assertThat(read(s, 3, AT_MOST)).isEqualTo("bye");
    await().atMost(AT_MOST).until(() -> echo.eofs() == 1); // server saw our FIN, closed its side
    assertThat(s.getInputStream().read()).isEqualTo(-1);
    await().atMost(AT_MOST).until(() -> proxy.openConnections() == 0);
  }

  @Test
  void unreachableTargetResetsTheClient() throws IOException {
    InetSocketAddress dead;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = (InetSocketAddress) probe.getLocalSocketAddress();
    }
    try (TcpProxy p = TcpProxy.start("dead", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dead);
        Socket s = new Socket()) {
      // the reset may reach the client while it connects or when it reads, never a silent hang
      assertThatThrownBy(() -> {
        s.connect(p.address(), 2000);
        s.setSoTimeout(5000);
        read(s, 1, AT_MOST);
      }).isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void buffersAreBoundedWhenTheTargetDoesNotRead() throws Exception {
    try (EchoServer sink = new EchoServer(false);
        TcpProxy p = TcpProxy.start("sink", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), sink.address());
        Socket s = new Socket()) {
      s.connect(p.address(), 2000);
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        byte[] block = new byte[64 * 1024];
        try {
          for (int i = 0; i < 4096; i++) { // 256 MiB at most
            s.getOutputStream().write(block);
            written.addAndGet(block.length);
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      writer.setDaemon(true);
      writer.start();
      long last = -1;
      for (int i = 0; i < 50 && written.get() != last; i++) { // until the writer is blocked
        last = written.get();
        Thread.sleep(200);
      }
      assertThat(written.get()).isEqualTo(last).isLessThan(64L * 1024 * 1024);
      s.close();
      writer.join(5000);
    }
  }

  @Test
  void closeFreesThePortAndEndsEveryThread() throws Exception {
    Socket s = connect();
    assertThat(roundTrip(s, "x")).isEqualTo("x");
    proxy.partition();
    connect(); // a held connection too
    InetSocketAddress where = proxy.address();
    proxy.close();
    await().atMost(AT_MOST).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("proxy-test-")));
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(where);
      assertThat(again.isBound()).isTrue();
    }
  }

  @Test
  void refusesNonLoopbackAddresses() {
    InetSocketAddress documentationNet = new InetSocketAddress("192.0.2.1", 9);
    assertThatThrownBy(() -> TcpProxy.start("x", documentationNet, echo.address()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
