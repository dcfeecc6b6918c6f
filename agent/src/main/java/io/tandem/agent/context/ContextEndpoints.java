package io.tandem.agent.context;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import io.tandem.agent.http.AgentTokenCheck;
import io.tandem.agent.http.HttpCall;
import io.tandem.agent.http.HttpReply;
import io.tandem.agent.http.HttpRoute;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The endpoints the Tandem context store inside Node-RED calls (docs/context.md), under
 * {@code /tandem/context/} of the agent's local HTTP API, with the agent's token as the storage
 * endpoints check it:
 *
 * <pre>
 * GET  snapshot                         -> {"version","writer","limits","scopes"} | 503
 * GET  changes?since=V&writer=0|1&waitMs=N  (long poll, waitMs at most 4000)
 *      -> {"version","writer","ops":[...],"corrections":[...]} | {"version","writer","full":{...}}
 * POST write {"ops":[...],"sync":bool} -> 202 {"accepted"} | 200 {"version","results"} | 409 | 503 | 400 | 413
 * </pre>
 *
 * JSON values travel as the bytes they were committed with (never re-encoded).
 */
public final class ContextEndpoints {
  public static final String PREFIX = "/tandem/context/";
  static final String STANDBY =
      "this instance is the standby: flows on it do not run and cannot write context";
  /** Long polls are capped below the HTTP server's 5 s idle timeout (HttpServers.IDLE_TIMEOUT_MILLIS). */
  static final long MAX_WAIT_MILLIS = 4000;
  static final int MAX_BODY = 20 * 1024 * 1024;
  /**
   * How long a snapshot request waits for the replica before 503, on which the plugin lets Node-RED
   * boot with an empty copy (it follows through changes): short, so that a Node-RED starting with
   * the cluster (no leader or, on a fresh cluster, no group yet) is a ready spare without them.
   */
  private static final long SNAPSHOT_WAIT_MILLIS = 1000;
  private static final long SYNC_WAIT_MILLIS = 2000;
  private static final JsonFactory JSON = new JsonFactory();
  private final ContextAgent agent;
  private final AgentTokenCheck tokens;

  ContextEndpoints(ContextAgent agent, AgentTokenCheck tokens) {
    this.agent = agent;
    this.tokens = tokens;
  }

  public List<HttpRoute> routes() {
    return List.of(HttpRoute.get(PREFIX, this::handle), new HttpRoute("POST", PREFIX, MAX_BODY, this::handle));
  }

  HttpReply handle(HttpCall call) throws Exception {
    HttpReply refused = tokens.refusal(call);
    if (refused != null) {
      return refused;
    }
    String method = "HEAD".equals(call.method()) ? "GET" : call.method();
    return switch (method + " " + call.pathAfter(PREFIX)) {
      case "GET snapshot" -> snapshot();
      case "GET changes" -> changes(call);
      case "POST write" -> write(call);
      default -> error(404, "not_found", method + " " + call.path() + " is not a context endpoint");
    };
  }

  private HttpReply snapshot() throws InterruptedException {
    ContextHub hub = agent.hub();
    agent.needReplica();
    if (!hub.awaitLoaded(TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_WAIT_MILLIS))) {
      hub.snapshot(); // counts as the plugin's contact
      return error(503, "tandem_unavailable", "the agent has no copy of the group's context yet "
          + "(the coordinators did not answer); retry through changes");
    }
    ContextHub.Changes c = hub.snapshot();
    long[] limits = hub.limits();
    return HttpReply.json(200, render(g -> {
      g.writeNumberField("version", c.version());
      g.writeBooleanField("writer", false);
      limits(g, limits);
      g.writeFieldName("scopes");
      scopes(g, c.full());
    }));
  }

  private HttpReply changes(HttpCall call) throws InterruptedException {
    long since;
    long waitMs;
    boolean writer;
    try {
      since = Long.parseLong(query(call, "since", "0"));
      waitMs = Math.min(MAX_WAIT_MILLIS, Math.max(0, Long.parseLong(query(call, "waitMs", "0"))));
      String w = query(call, "writer", "0");
      if (!w.equals("0") && !w.equals("1")) {
        return error(400, "invalid", "writer must be 0 or 1, got " + w);
      }
      writer = w.equals("1");
    } catch (NumberFormatException e) {
      return error(400, "invalid", "since and waitMs must be whole numbers: " + e.getMessage());
    }
    ContextHub.Changes c = agent.hub().changes(since, writer, TimeUnit.MILLISECONDS.toNanos(waitMs));
    long[] limits = agent.hub().limits();
    return HttpReply.json(200, render(g -> {
      g.writeNumberField("version", c.version());
      g.writeBooleanField("writer", c.writer());
      // also here: a plugin whose open() found no replica yet learns the coordinators' limits later
      limits(g, limits);
      if (c.ops() == null) {
        g.writeFieldName("full");
        scopes(g, c.full());
      } else {
        g.writeArrayFieldStart("ops");
        for (ContextOp op : c.ops()) {
          effect(g, op.getScope(), op.getKey(), op.getKind(), op.getValue(), null);
        }
        g.writeEndArray();
      }
      g.writeArrayFieldStart("corrections");
      for (ContextHub.CorrectionValue v : c.corrections()) {
        effect(g, v.scope(), v.key(), v.value() == null ? ContextOp.Kind.DELETE : ContextOp.Kind.SET,
            v.value(), v.reason());
      }
      g.writeEndArray();
    }));
  }

  private static void limits(com.fasterxml.jackson.core.JsonGenerator g, long[] limits) throws java.io.IOException {
    g.writeObjectFieldStart("limits");
    g.writeNumberField("maxValueBytes", limits[0]);
    g.writeNumberField("maxGroupBytes", limits[1]);
    g.writeEndObject();
  }

  private HttpReply write(HttpCall call) throws InterruptedException {
    WriteBody.Parsed body;
    try {
      body = WriteBody.parse(call.body());
    } catch (WriteBody.Invalid e) {
      return error(400, "invalid", e.getMessage());
    }
    long token = agent.hub().writerToken();
    if (token == 0) {
      return error(409, "tandem_standby", STANDBY);
    }
    if (!body.sync()) {
      if (!agent.flusher().enqueue(token, body.ops())) {
        return error(409, "tandem_standby", STANDBY);
      }
      return HttpReply.json(202, "{\"accepted\":" + body.ops().size() + "}");
    }
    ContextFlusher.SyncResult r;
    try {
      r = agent.flusher().enqueueSync(token, body.ops()).get(SYNC_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return error(503, "tandem_unavailable", "the write was not committed within "
          + SYNC_WAIT_MILLIS + " ms (no coordinator majority?); it may still commit");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ContextFlusher.WriteFailed f) {
        return error(f.status, f.code, f.getMessage());
      }
      throw new IllegalStateException(e.getCause());
    }
    return HttpReply.json(200, render(g -> {
      g.writeNumberField("version", r.version());
      g.writeArrayFieldStart("results");
      for (ContextOpResult res : r.results()) {
        g.writeStartObject();
        g.writeBooleanField("ok", res.getOutcome() == Outcome.OK);
        if (res.getOutcome() != Outcome.OK) {
          g.writeStringField("message", res.getMessage());
        }
        if (!res.getValue().isEmpty()) {
          g.writeFieldName("value");
          g.writeRawValue(res.getValue().toStringUtf8());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }));
  }

  private static void effect(JsonGenerator g, String scope, String key, ContextOp.Kind kind,
      ByteString value, String reason) throws IOException {
    g.writeStartObject();
    g.writeStringField("scope", scope);
    if (kind == ContextOp.Kind.DELETE_SCOPE) {
      g.writeBooleanField("scopeDeleted", true);
    } else {
      g.writeStringField("key", key);
      if (kind == ContextOp.Kind.DELETE) {
        g.writeBooleanField("deleted", true);
      } else {
        g.writeFieldName("value");
        g.writeRawValue(value.toStringUtf8());
      }
    }
    if (reason != null) {
      g.writeStringField("reason", reason);
    }
    g.writeEndObject();
  }

  private static void scopes(JsonGenerator g, Map<String, Map<String, ByteString>> scopes)
      throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Map<String, ByteString>> s : scopes.entrySet()) {
      g.writeObjectFieldStart(s.getKey());
      for (Map.Entry<String, ByteString> e : s.getValue().entrySet()) {
        g.writeFieldName(e.getKey());
        g.writeRawValue(e.getValue().toStringUtf8());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String render(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String query(HttpCall call, String name, String dflt) {
    for (String part : call.query().split("&")) {
      if (part.startsWith(name + "=")) {
        return URLDecoder.decode(part.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return dflt;
  }

  static HttpReply error(int status, String code, String message) {
    return HttpReply.json(status, render(g -> {
      g.writeStringField("code", code);
      g.writeStringField("message", message);
    }));
  }
}
