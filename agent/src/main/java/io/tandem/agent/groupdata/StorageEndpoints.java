package io.tandem.agent.groupdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.proto.state.EditorDataKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback endpoints the Tandem storage plugin calls, under {@code /tandem/storage/}. Only
 * callers on this host (loopback, or the address the server was reached on) that present the
 * agent's token in {@code x-tandem-token} (compared in constant time) are served: 403 otherwise
 * for a remote caller, 401 for a missing or wrong token.
 *
 * <pre>
 * GET  flows     -> {"revision", "flows", "credentials"} (revision 0: the group has none yet)
 * POST deploy    {"flows", "credentials", "user"} -> {"revision"} | {"code", "message"}
 * POST runtime   {"credentialKeyDigest", "flowFile", "credentialsFile"}
 * GET  editor    -> {"settings", "library", "sessions"}
 * PUT  settings | sessions | library?key=TYPE%00PATH   (the JSON value)
 * </pre>
 */
public final class StorageEndpoints implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(StorageEndpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A flows document up to 16 MB plus its credentials and the JSON around them. */
  static final int MAX_BODY = 20 * 1024 * 1024;
  public static final String PREFIX = "/tandem/storage/";
  private final GroupData data;
  private final byte[] tokenHash;

  StorageEndpoints(GroupData data, String agentToken) {
    this.data = data;
    this.tokenHash = sha256(agentToken);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!fromThisHost(ex)) {
        send(ex, 403, error("forbidden", "the storage endpoints answer only on this host"));
        return;
      }
      String presented = ex.getRequestHeaders().getFirst(NodeRedAdminClient.TOKEN_HEADER);
      if (presented == null || !MessageDigest.isEqual(sha256(presented), tokenHash)) {
        send(ex, 401, error("unauthorized", "missing or wrong " + NodeRedAdminClient.TOKEN_HEADER
            + " (the agent's token from nodeRed.tokenFile)"));
        return;
      }
      route(ex);
    } catch (StorageException e) {
      send(ex, e.status(), error(e.code(), e.getMessage()));
    } catch (IOException | RuntimeException e) {
      log.warn("storage request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      send(ex, 500, error("error", String.valueOf(e.getMessage())));
    }
  }

  private void route(HttpExchange ex) throws IOException, StorageException {
    String path = ex.getRequestURI().getPath().substring(PREFIX.length());
    String method = ex.getRequestMethod();
    switch (method + " " + path) {
      case "GET flows" -> send(ex, 200, data.flowsForRuntime().toString());
      case "POST deploy" -> {
        JsonNode body = body(ex);
        JsonNode flows = body.get("flows");
        if (flows == null || !flows.isArray()) {
          throw new StorageException(400, "invalid", "the deploy has no flows array");
        }
        JsonNode creds = body.path("credentials");
        String credsJson = creds.isObject() && creds.size() > 0 ? creds.toString() : "";
        long revision = data.deploy(flows.toString(), credsJson, body.path("user").asText(""));
        send(ex, 200, JSON.createObjectNode().put("revision", revision).toString());
      }
      case "POST runtime" -> {
        data.runtimeInfo(body(ex));
        send(ex, 204, null);
      }
      case "GET editor" -> send(ex, 200, data.editorData().toString());
      case "PUT settings" -> put(ex, EditorDataKind.SETTINGS, "");
      case "PUT sessions" -> put(ex, EditorDataKind.SESSIONS, "");
      case "PUT library" -> put(ex, EditorDataKind.LIBRARY, query(ex, "key"));
      default -> send(ex, 404, error("not_found", method + " " + PREFIX + path + " is not a storage endpoint"));
    }
  }

  private void put(HttpExchange ex, EditorDataKind kind, String key) throws IOException, StorageException {
    data.putEditorData(kind, key, body(ex).toString().getBytes(StandardCharsets.UTF_8));
    send(ex, 204, null);
  }

  private static String query(HttpExchange ex, String name) throws StorageException {
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String part : q.split("&")) {
        if (part.startsWith(name + "=")) {
          return URLDecoder.decode(part.substring(name.length() + 1), StandardCharsets.UTF_8);
        }
      }
    }
    throw new StorageException(400, "invalid", "query parameter " + name + " is missing");
  }

  private static JsonNode body(HttpExchange ex) throws IOException, StorageException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new StorageException(413, "too_large", "the request is larger than " + MAX_BODY / (1024 * 1024)
            + " MB; a flows document may have up to 16 MB");
      }
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        throw new StorageException(400, "invalid", "the request is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }

  private static boolean fromThisHost(HttpExchange ex) {
    InetAddress remote = ex.getRemoteAddress().getAddress();
    return remote.isLoopbackAddress() || remote.equals(ex.getLocalAddress().getAddress());
  }

  private static String error(String code, String message) {
    return JSON.createObjectNode().put("code", code).put("message", message).toString();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
