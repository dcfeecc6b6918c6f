package io.tandem.agent.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The bearer token that {@code /status} and {@code /metrics} of the agent's local API require
 * ({@code http.token} or {@code http.tokenFile} in the agent YAML), or {@link #NONE}: open, as before.
 * Compared in constant time; {@link #toString()} never shows it.
 */
public final class BearerToken {
  /** No token configured: /status and /metrics are open to whoever reaches the listen address. */
  public static final BearerToken NONE = new BearerToken(null);

  private final byte[] expected;

  private BearerToken(String value) {
    this.expected = value == null ? null : digest(value);
  }

  public static BearerToken of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("the bearer token is empty");
    }
    return new BearerToken(value);
  }

  public boolean required() {
    return expected != null;
  }

  /** True if no token is required, or {@code authorization} is "Bearer TOKEN" with the right token. */
  public boolean accepts(String authorization) {
    if (expected == null) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(digest(authorization.substring(7).strip()), expected);
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return required() ? "BearerToken[set]" : "BearerToken[none]";
  }
}
