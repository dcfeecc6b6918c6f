package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive's training run really goes through a mutual TLS handshake (else its classes would be missing). */
class CdsTrainingTest {
  @TempDir Path dir;

  @Test
  void theTrainingRunCompletesAMutualTlsHandshake() {
    assertThat(CdsTraining.train(dir)).isPositive();
  }
}
