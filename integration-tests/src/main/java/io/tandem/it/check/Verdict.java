package io.tandem.it.check;

import java.util.List;

/** The checker's answer: the activations it found and every violation (empty = the history is safe). */
public record Verdict(List<Activation> activations, List<Violation> violations) {
  public boolean ok() {
    return violations.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(ok() ? "history OK" : "history has " + violations.size() + " violation(s)");
    sb.append("; activations: ").append(activations);
    violations.forEach(v -> sb.append("\n  ").append(v));
    return sb.toString();
  }
}
