package io.tandem.agent.locks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.agent.control.LockState;
import io.tandem.agent.http.AgentTokenCheck;
import io.tandem.agent.http.HttpCall;
import io.tandem.agent.http.HttpReply;
import io.tandem.agent.http.HttpRoute;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The lock API the Node-RED nodes call (docs/locks.md), on the agent's local HTTP server, with the
 * agent's token in {@code x-tandem-token} and from loopback only:
 *
 * <pre>
 * GET    /tandem/role[?since=V&amp;waitMs=N]   -> 200 role document (long poll: waits while V is current)
 * PUT    /tandem/locks/{key}  {"owner": ID}  -> 200 lock object (the key is wanted by ID)
 * DELETE /tandem/locks/{key}?owner=ID        -> 200 lock object (ID no longer wants it)
 * </pre>
 *
 * Errors are {@code {"error": "sentence"}}: 400 bad key or body, 401 no or wrong token, 403 not
 * from loopback, 503 not linked to a coordinator yet (the body still has the fields it knows).
 */
public final class LockEndpoints {
  public static final String ROLE = "/tandem/role";
  public static final String LOCKS = "/tandem/locks/";
  static final long DEFAULT_WAIT_MILLIS = 25_000;
  static final long MAX_WAIT_MILLIS = 30_000;
  static final int MAX_BODY = 4096;
  private final Locks locks;
  private final AgentTokenCheck tokens;

  public LockEndpoints(Locks locks, String agentToken) {
    this.locks = locks;
    this.tokens = new AgentTokenCheck(agentToken);
  }

  public List<HttpRoute> routes() {
    return List.of(HttpRoute.async("GET", ROLE, 0, this::role),
        new HttpRoute("PUT", LOCKS, MAX_BODY, this::put),
        new HttpRoute("DELETE", LOCKS, 0, this::delete));
  }

  /** Null when the call may proceed; else the error reply. */
  private HttpReply refusal(HttpCall call) {
    if (!call.loopback()) {
      return error(403, "the lock API answers on loopback only (it is for the Node-RED of this agent)");
    }
    HttpReply r = tokens.refusal(call);
    if (r != null) {
      return error(401, (call.header(AgentTokenCheck.HEADER) == null ? "missing " : "wrong ")
          + AgentTokenCheck.HEADER + " (the agent's token from nodeRed.tokenFile)");
    }
    return null;
  }

  CompletionStage<HttpReply> role(HttpCall call) {
    HttpReply refused = refusal(call);
    if (refused == null && !ROLE.equals(call.path())) {
      refused = error(404, call.path() + " is not a lock endpoint; try " + ROLE);
    }
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    long since;
    long waitMs;
    try {
      String s = call.queryParam("since");
      since = s == null || s.isEmpty() ? -1 : Long.parseLong(s);
      String w = call.queryParam("waitMs");
      waitMs = w == null || w.isEmpty() ? DEFAULT_WAIT_MILLIS : Long.parseLong(w);
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(error(400, "since and waitMs must be whole numbers"));
    }
    if (waitMs < 0) {
      return CompletableFuture.completedFuture(error(400, "waitMs must not be negative"));
    }
    waitMs = Math.min(waitMs, MAX_WAIT_MILLIS);
    CompletableFuture<RoleState> later = since < 0
        ? CompletableFuture.completedFuture(locks.role()) : locks.awaitChange(since, waitMs);
    return later.thenApply(s -> {
      ObjectNode body = LockJson.role(s, System.nanoTime());
      return reply(s.coordinator(), body);
    });
  }

  HttpReply put(HttpCall call) {
    HttpReply refused = refusal(call);
    if (refused != null) {
      return refused;
    }
    String key = call.pathAfter(LOCKS);
    String problem = LockTable.keyProblem(key);
    if (problem != null) {
      return error(400, problem);
    }
    String owner;
    try {
      JsonNode body = call.body().length == 0 ? null : LockJson.JSON.readTree(call.body());
      if (body == null || !body.isObject() || !body.path("owner").isTextual()) {
        return error(400, "the body must be a JSON object with a string \"owner\" (the node's id)");
      }
      owner = body.get("owner").asText();
    } catch (java.io.IOException e) {
      return error(400, "the body is not valid JSON");
    }
    String ownerProblem = LockTable.ownerProblem(owner);
    if (ownerProblem != null) {
      return error(400, ownerProblem);
    }
    LockState l;
    try {
      l = locks.want(key, owner);
    } catch (IllegalStateException tooMany) {
      return error(400, tooMany.getMessage());
    }
    return lockReply(l);
  }

  HttpReply delete(HttpCall call) {
    HttpReply refused = refusal(call);
    if (refused != null) {
      return refused;
    }
    String key = call.pathAfter(LOCKS);
    String problem = LockTable.keyProblem(key);
    if (problem != null) {
      return error(400, problem);
    }
    String owner = call.queryParam("owner");
    String ownerProblem = LockTable.ownerProblem(owner);
    if (ownerProblem != null) {
      return error(400, ownerProblem + " (DELETE " + LOCKS + "KEY?owner=ID)");
    }
    return lockReply(locks.drop(key, owner));
  }

  private HttpReply lockReply(LockState l) {
    return reply(locks.role().coordinator(), LockJson.lock(l, System.nanoTime()));
  }

  private static HttpReply reply(boolean linked, ObjectNode body) {
    if (!linked) {
      body.put("error", "the agent has not heard from the coordinators yet");
      return HttpReply.json(503, body.toString());
    }
    return HttpReply.json(200, body.toString());
  }

  static HttpReply error(int status, String sentence) {
    return HttpReply.json(status, LockJson.JSON.createObjectNode().put("error", sentence).toString());
  }
}
