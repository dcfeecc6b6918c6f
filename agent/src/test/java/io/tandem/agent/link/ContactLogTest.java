package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.link.ContactLog.Level;
import io.tandem.agent.link.ContactLog.Line;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactLogTest {
  private static final long MS = 1_000_000L;
  private final List<Line> lines = new ArrayList<>();

  private void keep(Line l) {
    if (l != null) {
      lines.add(l);
    }
  }

  @Test
  void theFirstConnectionIsNotAFailure() {
    ContactLog log = new ContactLog(0);
    assertThat(log.deadline(Duration.ofMillis(300))).as("first contact").isEqualTo(Duration.ofSeconds(2));
    for (int i = 0; i < 12; i++) { // 3 s of unanswered heartbeats at start
      keep(log.onFailure("c1:7400", "DEADLINE_EXCEEDED", i * 250 * MS));
    }
    keep(log.onAnswer("c2:7400", 3_100 * MS));
    assertThat(lines).extracting(Line::level).containsExactly(Level.INFO, Level.INFO);
    assertThat(lines.get(0).text()).contains("no coordinator has answered yet").contains("DEADLINE_EXCEEDED");
    assertThat(lines.get(1).text()).isEqualTo("connected to coordinator c2:7400 (3100 ms after the start)");
    assertThat(log.deadline(Duration.ofMillis(300))).as("after the first answer").isEqualTo(Duration.ofMillis(300));
    keep(log.onAnswer("c2:7400", 3_400 * MS));
    assertThat(lines).hasSize(2);
  }

  @Test
  void noAnswerWithinTheGraceIsOneWarning() {
    ContactLog log = new ContactLog(0);
    for (long t = 0; t < 30_000; t += 250) {
      keep(log.onFailure("c1:7400", "UNAVAILABLE: io exception", t * MS));
    }
    assertThat(lines).extracting(Line::level).containsExactly(Level.INFO, Level.WARN);
    assertThat(lines.get(1).text()).contains("in 10 s since the start").contains("c1:7400");
    keep(log.onAnswer("c1:7400", 31_000 * MS));
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2).level()).isEqualTo(Level.INFO);
  }

  @Test
  void lossAndReturnAreLoggedOnceEach() {
    ContactLog log = new ContactLog(0);
    keep(log.onAnswer("c1:7400", 100 * MS));
    for (int i = 0; i < 50; i++) {
      keep(log.onFailure("c1:7400", "DEADLINE_EXCEEDED", (20_000 + i * 250) * MS));
    }
    keep(log.onAnswer("c3:7400", 40_000 * MS));
    keep(log.onAnswer("c3:7400", 40_250 * MS));
    assertThat(lines).extracting(Line::level).containsExactly(Level.INFO, Level.WARN, Level.INFO);
    assertThat(lines.get(1).text()).startsWith("heartbeat failed: c1:7400 (DEADLINE_EXCEEDED)");
    assertThat(lines.get(2).text()).isEqualTo("coordinator c3:7400 answers heartbeats again");
    assertThat(log.deadline(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aLongerConfiguredTimeoutIsKept() {
    assertThat(new ContactLog(0).deadline(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
  }
}
