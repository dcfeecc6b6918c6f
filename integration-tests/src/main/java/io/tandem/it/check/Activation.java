package io.tandem.it.check;

import io.tandem.it.witness.WitnessCall;

/**
 * What the witness saw of one activation: the calls of one instance under one fencing token.
 * Its activity interval runs from its first to its last call in the witness's order (seq).
 */
public record Activation(String instance, long token, WitnessCall first, WitnessCall last, int calls) {

  Activation extend(WitnessCall c) {
    return new Activation(instance, token, first, c, calls + 1);
  }

  /** True if the two activity intervals share at least one moment of the witness's order. */
  public boolean overlaps(Activation o) {
    return first.seq() <= o.last.seq() && o.first.seq() <= last.seq();
  }

  @Override
  public String toString() {
    return instance + "@" + token + " [seq " + first.seq() + ".." + last.seq() + ", " + calls + " calls]";
  }
}
