package io.tandem.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContextNumbersTest {
  private static OptionalDouble parse(String s) {
    return ContextNumbers.parse(ByteString.copyFromUtf8(s));
  }

  private static String format(double d) {
    return ContextNumbers.format(d).toStringUtf8();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"0|0", "42|42", "-3|-3", "2.5|2.5", "1e3|1000", "1.5E-3|0.0015", "' 7 '|7",
      "-0|-0.0", "9007199254740993|9007199254740992"})
  void jsonNumbersAreNumbers(String json, double expected) {
    assertThat(parse(json)).hasValue(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1\"", "01", "1.", ".5", "+1", "NaN", "Infinity", "0x10", "1e400", "true", "null",
      "[1]", "{}", "1 2", "", "1d"})
  void anythingElseIsNot(String json) {
    assertThat(parse(json)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"42.0|42", "-0.0|0", "0.75|0.75", "1.0E15|1000000000000000",
      "0.30000000000000004|0.30000000000000004", "1.0E20|100000000000000000000", "1.0E300|1.0E300",
      "-2.5E-7|-2.5E-7", "9.007199254740992E15|9007199254740992",
      "7.378697629483821E19|73786976294838210000", "-1.0E20|-100000000000000000000", "1.0E21|1.0E21"})
  void integralResultsHaveNoFractionAndOthersTheShortestDigits(double value, String json) {
    assertThat(format(value)).isEqualTo(json);
    assertThat(parse(format(value))).as("reads back as the same double").hasValue(value == 0 ? 0 : value);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"'\"x\"'|a string", "{}|an object", "[]|an array", "true|a boolean",
      "null|null", "1e400|a number out of range"})
  void kindsForMessages(String json, String kind) {
    assertThat(ContextNumbers.kind(ByteString.copyFromUtf8(json))).isEqualTo(kind);
  }
}
