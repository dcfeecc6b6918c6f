package io.tandem.it.check;

import java.util.List;

/** One broken rule, with the witness log lines that show it. */
public record Violation(Kind kind, String message, List<String> lines) {
  public enum Kind { NO_TOKEN, OVERLAP, TOKEN_DECREASED, ACTIVATION_NOT_INCREASING }

  @Override
  public String toString() {
    return kind + ": " + message + (lines.isEmpty() ? "" : "\n    " + String.join("\n    ", lines));
  }
}
