package io.tandem.coordinator.state;

import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.google.protobuf.ByteString;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * JSON numbers of context INCREMENT, read and written the same on every replica. A value is a
 * number only if it is exactly one JSON number (RFC 8259 grammar, surrounding JSON whitespace
 * allowed). Results are written as Node-RED's JSON.stringify writes them where that matters:
 * integral values below 1e21 without a fraction or exponent (42, not 42.0), otherwise by
 * Jackson's own shortest-digits writer
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
    } else if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      s = plain(NumberOutput.toString(d, true)); // as JavaScript: 1e20 is 100000000000000000000
    } else {
      s = NumberOutput.toString(d, true);
    }
    return ByteString.copyFromUtf8(s);
  }

  /** "1.2345E19" as "12345000000000000000" (an integral value of at most 21 digits). */
  private static String plain(String scientific) {
    int e = scientific.indexOf('E');
    String mantissa = scientific.substring(0, e);
    int exponent = Integer.parseInt(scientific.substring(e + 1));
    boolean negative = mantissa.startsWith("-");
    String digits = mantissa.replace("-", "").replace(".", "");
    int integerDigits = exponent + 1;
    StringBuilder b = new StringBuilder(negative ? "-" : "").append(digits);
    while (b.length() - (negative ? 1 : 0) < integerDigits) {
      b.append('0');
    }
    return b.toString();
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
      default -> "a number out of range"; // valid JSON (checked before the log) that is no finite double
    };
  }
}
