package io.tandem.agent.groupdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.agent.http.HttpCall;
import io.tandem.agent.http.HttpReply;
import io.tandem.agent.http.HttpRoute;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.proto.state.EditorDataKind;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints the Tandem storage plugin calls, under {@code /tandem/storage/} of the agent's
 * local HTTP API. Every call must carry the agent's token (the one in nodeRed.tokenFile) in
 * {@code x-tandem-token}, compared in constant time: 401 without it, 403 with a wrong one.
 *
 * <pre>
 * GET  flows     -> {"revision", "flows", "credentials"} (revision 0: the group has none yet)
 * POST deploy    {"flows", "credentials", "user"} -> {"revision"} | {"code", "message"}
 * POST runtime   {"credentialKeyDigest", "flowFile", "credentialsFile"}
 * GET  editor    -> {"settings", "library", "sessions"}
 * PUT  settings | sessions | library?key=TYPE%00PATH   (the JSON value)
 * </pre>
 */
public final class StorageEndpoints {
  private static final Logger log = LoggerFactory.getLogger(StorageEndpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A flows document up to 16 MB plus its credentials and the JSON around them. */
  static final int MAX_BODY = 20 * 1024 * 1024;
  public static final String PREFIX = "/tandem/storage/";
  private static final int SMALL_BODY = 64 * 1024;
  private final GroupData data;
  private final byte[] tokenHash;

  StorageEndpoints(GroupData data, String agentToken) {
    this.data = data;
    this.tokenHash = sha256(agentToken);
  }

  /** The routes to give the agent's HTTP server. */
  public List<HttpRoute> routes() {
    return List.of(
        HttpRoute.get(PREFIX, this::handle),
        new HttpRoute("POST", PREFIX, MAX_BODY, this::handle),
        new HttpRoute("PUT", PREFIX, MAX_BODY, this::handle));
  }

  HttpReply handle(HttpCall call) {
    String presented = call.header(NodeRedAdminClient.TOKEN_HEADER);
    if (presented == null) {
      return error(401, "unauthorized", "missing " + NodeRedAdminClient.TOKEN_HEADER
          + " (the agent's token from nodeRed.tokenFile)");
    }
    if (!MessageDigest.isEqual(sha256(presented), tokenHash)) {
      return error(403, "forbidden", "wrong " + NodeRedAdminClient.TOKEN_HEADER
          + " (the agent's token from nodeRed.tokenFile)");
    }
    try {
      return route(call);
    } catch (StorageException e) {
      return error(e.status(), e.code(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.warn("storage request {} {} failed", call.method(), call.path(), e);
      return error(500, "error", String.valueOf(e.getMessage()));
    }
  }

  private HttpReply route(HttpCall call) throws IOException, StorageException {
    String path = call.pathAfter(PREFIX);
    String method = "HEAD".equals(call.method()) ? "GET" : call.method();
    switch (method + " " + path) {
      case "GET flows":
        return HttpReply.json(200, data.flowsForRuntime().toString());
      case "POST deploy": {
        JsonNode body = body(call);
        JsonNode flows = body.get("flows");
        if (flows == null || !flows.isArray()) {
          throw new StorageException(400, "invalid", "the deploy has no flows array");
        }
        JsonNode creds = body.path("credentials");
        String credsJson = creds.isObject() && creds.size() > 0 ? creds.toString() : "";
        JsonNode base = body.get("baseRevision");  // absent from plugins before 0.1: the agent's own record
        if (base != null && !(base.canConvertToLong() && base.asLong() >= 0)) {
          throw new StorageException(400, "invalid", "baseRevision must be a revision number (0 or more), not " + base);
        }
        long revision = data.deploy(flows.toString(), credsJson, body.path("user").asText(""),
            base == null ? OptionalLong.empty() : OptionalLong.of(base.asLong()));
        return HttpReply.json(200, JSON.createObjectNode().put("revision", revision).toString());
      }
      case "POST runtime":
        data.runtimeInfo(body(call));
        return HttpReply.of(204, "application/json", new byte[0]);
      case "GET editor":
        return HttpReply.json(200, data.editorData().toString());
      case "PUT settings":
        return put(call, EditorDataKind.SETTINGS, "");
      case "PUT sessions":
        return put(call, EditorDataKind.SESSIONS, "");
      case "PUT library":
        return put(call, EditorDataKind.LIBRARY, query(call, "key"));
      default:
        return error(404, "not_found", method + " " + PREFIX + path + " is not a storage endpoint");
    }
  }

  private HttpReply put(HttpCall call, EditorDataKind kind, String key) throws StorageException {
    if (call.body().length > SMALL_BODY * 256) {
      throw new StorageException(413, "too_large", kind + " value larger than 16 MB");
    }
    data.putEditorData(kind, key, body(call).toString().getBytes(StandardCharsets.UTF_8));
    return HttpReply.of(204, "application/json", new byte[0]);
  }

  private static String query(HttpCall call, String name) throws StorageException {
    for (String part : call.query().split("&")) {
      if (part.startsWith(name + "=")) {
        return URLDecoder.decode(part.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    throw new StorageException(400, "invalid", "query parameter " + name + " is missing");
  }

  private static JsonNode body(HttpCall call) throws StorageException {
    try {
      return JSON.readTree(call.body());
    } catch (IOException e) {
      throw new StorageException(400, "invalid", "the request is not valid JSON: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static HttpReply error(int status, String code, String message) {
    return HttpReply.json(status, JSON.createObjectNode().put("code", code).put("message", message).toString());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
