package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * A small client of the Node-RED admin API as the agent uses it: flows state, fencing token and
 * deploys, every call authenticated with the agent's static token in {@link #TOKEN_HEADER} and
 * bounded by a response timeout. Public so that tests can drive a runtime the same way.
 */
public final class NodeRedAdminClient {
  /** The header carrying the agent's token (configured as adminAuth.tokenHeader in the settings). */
  public static final String TOKEN_HEADER = "x-tandem-token";
  /** Used by the overloads without a timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final String header;
  private final HttpClient http;

  public NodeRedAdminClient(URI baseUrl, String token) {
    this(baseUrl, token, TOKEN_HEADER);
  }

  public NodeRedAdminClient(URI baseUrl, String token, String headerName) {
    this(baseUrl, token, headerName, newHttpClient());
  }

  /** Shares one HttpClient (its selector thread and connection pool) between clients. */
  NodeRedAdminClient(URI baseUrl, String token, String headerName, HttpClient http) {
    String b = Objects.requireNonNull(baseUrl, "baseUrl").toString();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    this.token = Objects.requireNonNull(token, "token");
    this.header = Objects.requireNonNull(headerName, "headerName");
    this.http = Objects.requireNonNull(http, "http");
  }

  static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  public URI baseUrl() {
    return base;
  }

  /** GET /flows/state: "start", "stop" or "safe". */
  public String getFlowsState(Duration timeout) throws RuntimeControlException {
    return field(send("GET", "flows/state", null, timeout), "state", "GET /flows/state").asText();
  }

  /**
   * A blocking GET /flows/state client on its own kept-alive connection, with this client's address,
   * token and TLS trust: for the probe's thread, which owns and closes it.
   */
  FlowsStateProbe newFlowsStateProbe() {
    SSLContext ssl;
    try {
      ssl = http.sslContext() != null ? http.sslContext() : SSLContext.getDefault();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
    return new FlowsStateProbe(base, token, header, ssl);
  }

  public String getFlowsState() throws RuntimeControlException {
    return getFlowsState(DEFAULT_TIMEOUT);
  }

  /** POST /flows/state {"state": state}; returns the state Node-RED reports after the change. */
  public String setFlowsState(String state, Duration timeout) throws RuntimeControlException {
    if (!"start".equals(state) && !"stop".equals(state)) {
      throw new IllegalArgumentException("flows state must be \"start\" or \"stop\", got " + state);
    }
    String body = JSON.createObjectNode().put("state", state).toString();
    return field(send("POST", "flows/state", body, timeout), "state", "POST /flows/state").asText();
  }

  public String setFlowsState(String state) throws RuntimeControlException {
    return setFlowsState(state, DEFAULT_TIMEOUT);
  }

  /**
   * POST /tandem/fence {"token": token}; returns the token Node-RED now holds. A lower token than the
   * current one is refused with HTTP 409 ({@link RuntimeControlException#isStaleToken()}).
   */
  public long setToken(long token, Duration timeout) throws RuntimeControlException {
    String body = JSON.createObjectNode().put("token", token).toString();
    return field(send("POST", "tandem/fence", body, timeout), "token", "POST /tandem/fence").asLong();
  }

  public long setToken(long token) throws RuntimeControlException {
    return setToken(token, DEFAULT_TIMEOUT);
  }

  /** GET /tandem/fence: the token the runtime's flows currently see. */
  public long getToken(Duration timeout) throws RuntimeControlException {
    return field(send("GET", "tandem/fence", null, timeout), "token", "GET /tandem/fence").asLong();
  }

  public long getToken() throws RuntimeControlException {
    return getToken(DEFAULT_TIMEOUT);
  }

  /**
   * POST /flows with a full deployment of {@code flowsJson} (an array of nodes, or the v2 object
   * {"flows": [...]}); returns the new flows revision. Flows that are stopped stay stopped.
   */
  public String deployFlows(String flowsJson, Duration timeout) throws RuntimeControlException {
    String body;
    try {
      JsonNode parsed = JSON.readTree(flowsJson);
      body = parsed.isArray() ? JSON.createObjectNode().set("flows", parsed).toString() : parsed.toString();
    } catch (IOException e) {
      throw new IllegalArgumentException("flows are not valid JSON: " + e.getMessage(), e);
    }
    JsonNode reply = send("POST", "flows", body, timeout, "Node-RED-Deployment-Type", "full");
    return reply.path("rev").asText("");
  }

  public String deployFlows(String flowsJson) throws RuntimeControlException {
    return deployFlows(flowsJson, DEFAULT_TIMEOUT);
  }

  /**
   * POST /flows with Node-RED-Deployment-Type: reload: the runtime reads its flows again from its
   * storage (the Tandem storage plugin); stopped flows stay stopped. Returns after the reload.
   */
  public void reloadFlows(Duration timeout) throws RuntimeControlException {
    send("POST", "flows", "{}", timeout, "Node-RED-Deployment-Type", "reload");
  }

  /** GET /nodes (JSON): the node sets the runtime has loaded, each with its module and version. */
  public JsonNode getNodes(Duration timeout) throws RuntimeControlException {
    return send("GET", "nodes", null, timeout);
  }

  private HttpRequest.Builder request(String method, String path, String body, Duration timeout,
      String... headers) {
    URI uri = base.resolve(path);
    HttpRequest.Builder req = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header(header, token)
        .header("Node-RED-API-Version", "v2")
        .header("Accept", "application/json");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      req.header(headers[i], headers[i + 1]);
    }
    if (body == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      req.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return req;
  }

  private JsonNode send(String method, String path, String body, Duration timeout, String... headers)
      throws RuntimeControlException {
    HttpRequest.Builder req = request(method, path, body, timeout, headers);
    String what = method + " " + base.resolve(path);
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new RuntimeControlException(what + ": no reply within " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new RuntimeControlException(what + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeControlException(what + " interrupted", e);
    }
    return parse(what, resp);
  }

  private static JsonNode parse(String what, HttpResponse<String> resp) throws RuntimeControlException {
    int status = resp.statusCode();
    if (status / 100 != 2) {
      String text = resp.body() == null ? "" : resp.body().strip();
      String hint = status == 401 || status == 403 ? " (is the agent's token accepted by adminAuth?)" : "";
      throw new RuntimeControlException(what + " answered HTTP " + status + hint + ": "
          + (text.length() > 500 ? text.substring(0, 500) + "..." : text), status, text, null);
    }
    try {
      String text = resp.body();
      return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      throw new RuntimeControlException(what + " answered HTTP " + status + " with a body that is not JSON: "
          + resp.body(), status, resp.body(), e);
    }
  }

  private static JsonNode field(JsonNode reply, String name, String what) throws RuntimeControlException {
    JsonNode v = reply.get(name);
    if (v == null || v.isNull()) {
      throw new RuntimeControlException(what + " reply has no \"" + name + "\": " + reply, 200, reply.toString(), null);
    }
    return v;
  }
}
