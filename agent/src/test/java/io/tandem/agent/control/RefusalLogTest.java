package io.tandem.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
  @Test
  void eachChangeOfReasonIsLoggedOnceNotPerHeartbeat() {
    RefusalLog log = new RefusalLog();
    List<String> lines = new ArrayList<>();
    String notMember = "instance \"c\" is not a member of group \"g\" (members: a, b): add it";
    for (int i = 0; i < 133; i++) {
      String l = log.onReply(i < 3 ? "" : notMember);
      if (l != null) {
        lines.add(l);
      }
      if (i >= 3) {
        assertThat(log.current()).isEqualTo(notMember);
      }
    }
    String l = log.onReply("group \"g\" does not exist: create it");
    lines.add(l);
    lines.add(log.onReply(""));
    assertThat(log.onReply("")).isNull();
    assertThat(lines).containsExactly(
        "heartbeats refused by the coordinators: " + notMember,
        "heartbeats refused by the coordinators: group \"g\" does not exist: create it",
        "the coordinators no longer refuse this instance's heartbeats (was: group \"g\" does not exist: create it)");
    assertThat(log.current()).isEmpty();
  }
}
