package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding libfaketime, and the one line that says what to install when it is missing (no libfaketime needed). */
class ClockFaultAvailabilityTest {
  @Test
  void aMissingLibraryIsOneLineSayingWhatToInstall(@TempDir Path dir) {
    String nowhere = dir.resolve("no/libfaketimeMT.so.1").toString();
    assertThat(ClockFault.unavailable(null, List.of(nowhere))).hasValueSatisfying(why -> {
      assertThat(why).contains("libfaketime is not installed", nowhere, "apt-get install faketime");
      assertThat(why).doesNotContain("\n");
    });
    assertThat(ClockFault.unavailable(nowhere, List.of())).hasValueSatisfying(why ->
        assertThat(why).contains("libfaketime not found at " + nowhere, "apt-get install faketime"));
    assertThatThrownBy(() -> ClockFault.library(null, List.of(nowhere)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("apt-get install faketime");
  }

  @Test
  void aReadableLibraryIsFound(@TempDir Path dir) throws Exception {
    Path lib = Files.writeString(dir.resolve("libfaketimeMT.so.1"), "");
    assertThat(ClockFault.unavailable(null, List.of(dir.resolve("missing").toString(), lib.toString()))).isEmpty();
    assertThat(ClockFault.library(lib.toString(), List.of())).isEqualTo(lib);
  }
}
