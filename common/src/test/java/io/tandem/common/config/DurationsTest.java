package io.tandem.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
    "250ms, 250", "2s, 2000", "2.5s, 2500", "1.5s, 1500", "0.5m, 30000", "1m, 60000",
    "1h, 3600000", "' 10 ms ', 10", "0s, 0", "0.001s, 1", "8760h, 31536000000"
  })
  void readsANumberWithAUnit(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
    "1500| \"1500\" has no unit: write 1500ms or 1500s",
    "2.5| \"2.5\" has no unit",
    "-1s| must not be negative, got \"-1s\"",
    "-250ms| must not be negative",
    "99999999999999999999ms| \"99999999999999999999ms\" is too large (at most 8760h)",
    "366d| must be a duration with a unit (e.g. 250ms, 2s, 1.5s, 1m or 1h), got \"366d\"",
    "2 hours| must be a duration with a unit",
    "0.5ms| is finer than the resolution of 1ms",
    "''| got nothing",
  })
  void refusesWithASentence(String text, String expected) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void positiveRefusesZero() {
    assertThatThrownBy(() -> Durations.parsePositive("0ms")).hasMessage("must be greater than zero, got \"0ms\"");
    assertThat(Durations.parsePositive("1ms")).isEqualTo(Duration.ofMillis(1));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"250, 250ms", "2000, 2s", "1500, 1.5s", "60050, 60.05s", "120000, 2m", "3600000, 1h", "0, 0ms"})
  void formatsWhatItReadsBack(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }
}
