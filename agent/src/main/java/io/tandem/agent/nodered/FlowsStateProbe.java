package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * GET /flows/state over one kept-alive HTTP/1.1 connection, blocking, for the probe's own thread: one
 * request in flight at a time, no selector thread, no executor hop, the request bytes built once. A
 * reused connection that the server closed while idle is opened again once without a miss. Not
 * thread-safe: only the probe thread uses it ({@link #close()} may come from any thread).
 *
 * <p>Why not an HTTP client library: the JDK's HttpClient, used before, cost a selector thread and
 * a worker hop per probe, 23 of an idle standby's 56 clock ticks in 30 s (docs/benchmarks.md, "Agent
 * footprint"); HttpURLConnection and Jetty's client cannot keep waiting on a request after a read
 * timeout, which is what counts a hung runtime's misses at the probe's interval without a new
 * connection per tick. The protocol used is the small subset of HTTP/1.1 a Node-RED admin reply
 * needs (status line, Content-Length or chunked body), with bounded lines and bodies.
 */
final class FlowsStateProbe implements AutoCloseable {
  static final int CONNECT_TIMEOUT_MS = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_HEADER_LINE = 8192;
  private static final int MAX_BODY = 64 * 1024;

  private final String host;
  private final int port;
  private final SSLContext ssl; // null: plain HTTP
  private final byte[] request;

  private volatile Socket socket;
  private InputStream in;
  private int answeredOnSocket;
  private boolean readingReply; // a byte of the current reply was read

  FlowsStateProbe(URI base, String token, String header, SSLContext ssl) {
    this.host = base.getHost();
    boolean https = "https".equalsIgnoreCase(base.getScheme());
    this.port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
    this.ssl = https ? ssl : null;
    String path = base.resolve("flows/state").getRawPath();
    String hostHeader = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + header + ": " + token
        + "\r\nNode-RED-API-Version: v2\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends the request, connecting first if there is no open connection (ConnectException if refused). */
  void send() throws IOException {
    if (socket == null) {
      connect();
    }
    readingReply = false;
    try {
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
    } catch (IOException e) {
      if (answeredOnSocket == 0) {
        close();
        throw e;
      }
      close(); // the server closed the idle connection: once more on a new one
      connect();
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
    }
  }

  /**
   * Waits until {@code deadlineNanos} for the reply to the last {@link #send()}: the flows state.
   * HttpTimeoutException when none came in time: the request is still pending and the connection open
   * (call again with a later deadline, or close). Any other IOException closed the connection;
   * RuntimeControlException: an HTTP error or a reply without a state.
   */
  String await(long deadlineNanos) throws IOException, RuntimeControlException {
    Socket s = socket;
    if (s == null) {
      throw new IOException("not connected");
    }
    try {
      if (!readingReply) {
        s.setSoTimeout(remainingMillis(deadlineNanos));
        int first = in.read();
        if (first < 0 && answeredOnSocket > 0) {
          close(); // closed by the server while idle: the request never reached it
          connect();
          socket.getOutputStream().write(request);
          socket.getOutputStream().flush();
          return await(deadlineNanos);
        }
        if (first < 0) {
          throw new EOFException("connection closed before a reply");
        }
        readingReply = true;
        return readReply(first, deadlineNanos);
      }
      close();
      throw new IOException("a reply was cut short earlier");
    } catch (SocketTimeoutException e) {
      if (readingReply) {
        close();
      }
      throw new HttpTimeoutException("no reply to GET /flows/state in time");
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private String readReply(int first, long deadlineNanos) throws IOException, RuntimeControlException {
    // the rest of a reply that has begun: at least 1 s more, not the probe's deadline
    socket.setSoTimeout(Math.max(1000, remainingMillis(deadlineNanos)));
    String statusLine = (char) first + line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x reply: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status: " + statusLine);
    }
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = parts[0].equals("HTTP/1.0");
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> closeAfter = value.contains("close") || (closeAfter && !value.contains("keep-alive"));
        default -> { }
      }
    }
    String body = chunked ? chunkedBody() : length >= 0 ? body(length) : untilEof();
    readingReply = false;
    answeredOnSocket++;
    if (closeAfter || (!chunked && length < 0)) {
      close();
    }
    return state(status, body);
  }

  private String state(int status, String body) throws RuntimeControlException {
    String what = "GET /flows/state";
    if (status / 100 != 2) {
      String hint = status == 401 || status == 403 ? " (is the agent's token accepted by adminAuth?)" : "";
      throw new RuntimeControlException(what + " answered HTTP " + status + hint + ": "
          + (body.length() > 500 ? body.substring(0, 500) + "..." : body.strip()), status, body, null);
    }
    JsonNode v;
    try {
      v = JSON.readTree(body).get("state");
    } catch (IOException e) {
      throw new RuntimeControlException(what + " answered HTTP " + status + " with a body that is not JSON: "
          + body, status, body, e);
    }
    if (v == null || v.isNull()) {
      throw new RuntimeControlException(what + " reply has no \"state\": " + body, status, body, null);
    }
    return v.asText();
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed in a reply");
      }
      if (c != '\r') {
        if (b.length() >= MAX_HEADER_LINE) {
          throw new IOException("reply header line too long");
        }
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private String body(long length) throws IOException {
    if (length > MAX_BODY) {
      throw new IOException("reply body of " + length + " bytes");
    }
    byte[] b = in.readNBytes((int) length);
    if (b.length < length) {
      throw new EOFException("connection closed in a reply body");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private String chunkedBody() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return out.toString(StandardCharsets.UTF_8);
      }
      if (out.size() + size > MAX_BODY) {
        throw new IOException("reply body over " + MAX_BODY + " bytes");
      }
      out.write(body(size).getBytes(StandardCharsets.UTF_8));
      line();
    }
  }

  private String untilEof() throws IOException {
    byte[] b = in.readNBytes(MAX_BODY);
    return new String(b, StandardCharsets.UTF_8);
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      if (ssl != null) {
        SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(s, host, port, true);
        SSLParameters p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        tls.setSSLParameters(p);
        tls.setSoTimeout(CONNECT_TIMEOUT_MS);
        tls.startHandshake();
        s = tls;
      }
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 1024);
    answeredOnSocket = 0;
    readingReply = false;
  }

  private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime() + 999_999);
    if (ms <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  /** A connection is open (after a timeout of {@link #await}: the request is still pending on it). */
  boolean isOpen() {
    return socket != null;
  }

  /** Closes the connection (the next {@link #send()} opens a new one); unblocks a waiting await. */
  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
