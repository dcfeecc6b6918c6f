package io.tandem.agent.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The check of the agent's token (nodeRed.tokenFile) that the Node-RED plugins present in
 * {@code x-tandem-token}, compared in constant time (both sides hashed to the same length).
 */
public final class AgentTokenCheck {
  public static final String HEADER = "x-tandem-token";
  private final byte[] expected;

  public AgentTokenCheck(String agentToken) {
    this.expected = sha256(agentToken);
  }

  /** Null when the call carries the token; else the error reply (401 without it, 403 wrong). */
  public HttpReply refusal(HttpCall call) {
    String presented = call.header(HEADER);
    if (presented == null) {
      return error(401, "unauthorized", "missing " + HEADER + " (the agent's token from nodeRed.tokenFile)");
    }
    if (!MessageDigest.isEqual(sha256(presented), expected)) {
      return error(403, "forbidden", "wrong " + HEADER + " (the agent's token from nodeRed.tokenFile)");
    }
    return null;
  }

  private static HttpReply error(int status, String code, String message) {
    return HttpReply.json(status, "{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
