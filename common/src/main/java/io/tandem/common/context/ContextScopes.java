package io.tandem.common.context;

import java.util.Locale;
import java.util.Optional;

/**
 * Context scope names and sizes as people read them, shared by the coordinator (which refuses a
 * malformed scope before it reaches the log) and tandemctl (which refuses it before sending).
 * Scopes are {@code global}, {@code flow:FLOW_ID} or {@code node:NODE_SCOPE}.
 */
public final class ContextScopes {
  /** Longest scope name (Node-RED's ids are 16 hex digits; a node scope is "node:NODE:FLOW"). */
  public static final int MAX_SCOPE_CHARS = 1024;

  private ContextScopes() {}

  /** Empty if {@code scope} is global, flow:ID or node:ID, else what is wrong with it. */
  public static Optional<String> scopeProblem(String scope) {
    if (scope.isEmpty()) {
      return Optional.of("scope is missing (use global, flow:ID or node:ID)");
    }
    if (scope.length() > MAX_SCOPE_CHARS) {
      return Optional.of("scope \"" + scope.substring(0, 40) + "...\" is longer than " + MAX_SCOPE_CHARS
          + " characters");
    }
    if (scope.equals("global")) {
      return Optional.empty();
    }
    if ((scope.startsWith("flow:") || scope.startsWith("node:")) && scope.length() > 5) {
      return Optional.empty();
    }
    if (scope.equals("flow:") || scope.equals("node:")) {
      return Optional.of("scope \"" + scope + "\" names no id (use flow:ID or node:ID)");
    }
    return Optional.of("scope \"" + scope + "\" is not global, flow:ID or node:ID");
  }

  /** A size for people: "100 bytes", "512 KB", "2.1 MB" (1 KB = 1024 bytes). */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + (bytes == 1 ? " byte" : " bytes");
    }
    double kb = bytes / 1024.0;
    if (kb < 1024) {
      return trim(String.format(Locale.ROOT, "%.1f", kb)) + " KB";
    }
    return trim(String.format(Locale.ROOT, "%.1f", kb / 1024.0)) + " MB";
  }

  private static String trim(String decimal) {
    return decimal.endsWith(".0") ? decimal.substring(0, decimal.length() - 2) : decimal;
  }
}
