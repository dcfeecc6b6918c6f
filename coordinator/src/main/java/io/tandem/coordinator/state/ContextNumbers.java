package io.tandem.coordinator.state;

import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.google.protobuf.ByteString;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * JSON numbers of context INCREMENT, read and written the same on every replica. A value is a
 * number only if it is exactly one JSON number (RFC 8259 grammar, surrounding JSON whitespace
 * allowed). Results are written without a fraction when integral and within a long (42, not
 * 42.0, as Node-RED's JSON.stringify does), otherwise by Jackson's own shortest-digits writer
 * (Schubfach), which does not depend on the JDK version the replica runs (Double.toString
 * changed in JDK 19).
 */
final class ContextNumbers {
  private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
  /** Integral doubles below 2^63 in magnitude print as a long. */
  private static final double LONG_RANGE = 9.223372036854775807E18;

  private ContextNumbers() {}

  /** The number {@code json} holds, or empty if it is not one JSON number. */
  static OptionalDouble parse(ByteString json) {
    if (json.size() > 1024) {
      return OptionalDouble.empty(); // no JSON number of any use is that long
    }
    String s = json.toStringUtf8().strip();
    if (!NUMBER.matcher(s).matches()) {
      return OptionalDouble.empty();
    }
    double d = NumberInput.parseDouble(s, true);
    return Double.isFinite(d) ? OptionalDouble.of(d) : OptionalDouble.empty();
  }

  /** {@code d} as JSON; {@code d} must be finite. */
  static ByteString format(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("not a finite number: " + d);
    }
    String s;
    if (d == Math.rint(d) && Math.abs(d) < LONG_RANGE) {
      s = Long.toString((long) d); // -0.0 prints as 0
    } else {
      s = NumberOutput.toString(d, true);
    }
    return ByteString.copyFromUtf8(s);
  }

  /** What kind of JSON value {@code json} looks like, for messages ("a string", "an object"). */
  static String kind(ByteString json) {
    String s = json.size() > 64 ? json.substring(0, 64).toStringUtf8().strip() : json.toStringUtf8().strip();
    if (s.isEmpty()) {
      return "empty";
    }
    return switch (s.charAt(0)) {
      case '"' -> "a string";
      case '{' -> "an object";
      case '[' -> "an array";
      case 't', 'f' -> "a boolean";
      case 'n' -> "null";
      default -> "not a JSON number";
    };
  }
}
