package io.tandem.it.chaos;

import java.util.List;

/**
 * One violated property of a chaos run, with the history lines that show it.
 *
 * @param property which of the checker's properties (see {@link ChaosChecker})
 */
public record Finding(String property, String message, List<String> lines) {
  public Finding {
    lines = List.copyOf(lines);
  }

  @Override
  public String toString() {
    return property + ": " + message + (lines.isEmpty() ? "" : "\n    " + String.join("\n    ", lines));
  }
}
