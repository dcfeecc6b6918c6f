package io.tandem.coordinator.cli;

import java.math.BigInteger;

/** The failover priorities tandemctl accepts: a whole number in a range that catches typos. */
final class Priorities {
  static final int MIN = -1000;
  static final int MAX = 1000;
  static final String RANGE = MIN + " to " + MAX;

  private Priorities() {}

  /** Parses a priority; the message of the exception says what is wrong. */
  static int parse(String text) {
    String t = text.trim();
    if (!t.matches("[+-]?\\d+")) {
      throw new IllegalArgumentException(
          "the priority \"" + text + "\" is not a whole number (expected ID[:PRIORITY])");
    }
    BigInteger v = new BigInteger(t);
    if (v.compareTo(BigInteger.valueOf(MIN)) < 0 || v.compareTo(BigInteger.valueOf(MAX)) > 0) {
      throw new IllegalArgumentException(
          "the priority must be between " + MIN + " and " + MAX + ", got " + t);
    }
    return v.intValueExact();
  }
}
