package io.tandem.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.HookSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {

  @Test
  void hookSeesGroupInstanceTokenReasonAndEvent(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.txt");
    String cmd = "echo \"$TANDEM_EVENT $TANDEM_GROUP $TANDEM_INSTANCE $TANDEM_TOKEN $TANDEM_REASON\" >> '"
        + out + "'";
    try (HookRunner h = new HookRunner(new HookSettings(cmd, cmd, Duration.ofSeconds(5)), "g", "a")) {
      assertThat(h.fire(HookRunner.Event.ACTIVATE, 7, "flows started").get(10, TimeUnit.SECONDS))
          .isZero();
      assertThat(h.fire(HookRunner.Event.DEACTIVATE, 7, "lease lost").get(10, TimeUnit.SECONDS))
          .isZero();
    }
    assertThat(Files.readAllLines(out))
        .containsExactly("activate g a 7 flows started", "deactivate g a 7 lease lost");
  }

  @Test
  void aSlowHookIsKilledAfterItsTimeoutAndDoesNotBlockTheCaller(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("late");
    String cmd = "sleep 30; touch '" + marker + "'";
    try (HookRunner h = new HookRunner(new HookSettings(cmd, "", Duration.ofMillis(300)), "g", "a")) {
      long t0 = System.nanoTime();
      var f = h.fire(HookRunner.Event.ACTIVATE, 1, "x");
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
      assertThat(f.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void aFailingHookReportsItsExitCode() throws Exception {
    try (HookRunner h = new HookRunner(new HookSettings("", "exit 3", Duration.ofSeconds(5)), "g", "a")) {
      assertThat(h.fire(HookRunner.Event.DEACTIVATE, 1, "x").get(10, TimeUnit.SECONDS)).isEqualTo(3);
      assertThat(h.fire(HookRunner.Event.ACTIVATE, 1, "x").get(1, TimeUnit.SECONDS)).isNull();
    }
  }
}
