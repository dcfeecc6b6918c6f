package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.TandemState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayAndSnapshotTest {

  /** A log touching every command, refusals and retries included. */
  private static List<Command> log() {
    List<Command> log = new ArrayList<>();
    log.add(create("line1", "a", "b"));
    log.add(create("line2", "x", "y"));
    log.add(withRequestId(add("line1", "c"), "req-add"));
    log.add(activate("line1", "a", 0));
    log.add(activate("line1", "b", 0)); // stale
    log.add(withRequestId(add("line1", "c"), "req-add")); // retried
    log.add(maintenance("line2", true));
    log.add(activate("line2", "x", 0));
    log.add(deactivate("line2", 8));
    log.add(remove("line1", "b"));
    log.add(activate("line1", "c", 4));
    log.add(delete("line2"));
    log.add(Command.getDefaultInstance());
    // Flows revisions and editor data (line1: c active under token 11).
    log.add(deploy("line1", 11, 0, "[1]"));           // 14: revision 14
    log.add(deploy("line1", 4, 14, "[stale]"));       // stale token
    log.add(deploy("line1", 11, 0, "[conflict]"));    // revision conflict
    log.add(editorData("line1", 11, EditorDataKind.SETTINGS, "", "{}"));
    log.add(editorData("line1", 0, EditorDataKind.SESSIONS, "", "{\"s\":1}"));
    log.add(editorData("line1", 11, EditorDataKind.LIBRARY, "flows\u0000x.json", "[]"));
    log.add(deploy("line1", 11, 14, "[2]"));          // 20: revision 20
    log.add(rollback("line1", 20, 14));               // 21: revision 21 = revision 14's content
    log.add(importFlows("line1", 21, "[imported]"));  // 22
    return log;
  }

  private static TandemState replay(TandemState from, List<Command> log, long firstIndex) {
    TandemState s = from;
    long index = firstIndex;
    for (Command c : log) {
      s = Applier.apply(s, c, index++).state();
    }
    return s;
  }

  @Test
  void sameCommandsGiveTheSameState() {
    TandemState first = replay(TandemState.getDefaultInstance(), log(), 1);
    TandemState second = replay(TandemState.getDefaultInstance(), log(), 1);
    assertThat(second).isEqualTo(first);
    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    // The log above really did something: line1 moved to c (index 11), line2 was deleted.
    assertThat(first.getGroupsMap()).containsOnlyKeys("line1");
    assertThat(first.getGroupsOrThrow("line1").getActive()).isEqualTo("c");
    assertThat(first.getGroupsOrThrow("line1").getToken()).isEqualTo(11);
    assertThat(first.getGroupsOrThrow("line1").getCurrentRevision()).isEqualTo(22);
    assertThat(first.getGroupDataOrThrow("line1").getRevisionsList())
        .extracting(r -> r.getRevision()).containsExactly(14L, 20L, 21L, 22L);
    assertThat(first.getGroupDataOrThrow("line1").getRevisions(2).getFlows().toStringUtf8()).isEqualTo("[1]");
    assertThat(first.getGroupDataOrThrow("line1").getSessions().toStringUtf8()).isEqualTo("{\"s\":1}");
  }

  @Test
  void snapshotInTheMiddleOfTheFlowsPartKeepsGroupData() {
    List<Command> log = log();
    TandemState whole = replay(TandemState.getDefaultInstance(), log, 1);
    TandemState part = replay(TandemState.getDefaultInstance(), log.subList(0, 19), 1);
    TandemState restored = SnapshotCodec.decode(SnapshotCodec.encode(part));
    assertThat(restored.getGroupDataMap()).isEqualTo(part.getGroupDataMap()).isNotEmpty();
    assertThat(replay(restored, log.subList(19, log.size()), 20)).isEqualTo(whole);
  }

  @Test
  void snapshotThenRestOfLogEqualsTheWholeLog() {
    List<Command> log = log();
    TandemState whole = replay(TandemState.getDefaultInstance(), log, 1);
    TandemState half = replay(TandemState.getDefaultInstance(), log.subList(0, 6), 1);
    TandemState restored = SnapshotCodec.decode(SnapshotCodec.encode(half));
    assertThat(restored).isEqualTo(half);
    assertThat(replay(restored, log.subList(6, log.size()), 7)).isEqualTo(whole);
  }

  @Test
  void snapshotRoundTrip() {
    TandemState s = replay(TandemState.getDefaultInstance(), log(), 1);
    assertThat(SnapshotCodec.decode(SnapshotCodec.encode(s))).isEqualTo(s);
    TandemState empty = TandemState.getDefaultInstance();
    assertThat(SnapshotCodec.decode(SnapshotCodec.encode(empty))).isEqualTo(empty);
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] bytes = SnapshotCodec.encode(replay(TandemState.getDefaultInstance(), log(), 1));
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> SnapshotCodec.decode(cut))
          .as("snapshot cut to %d of %d bytes", len, bytes.length)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void everyCorruptedByteIsRejected() {
    byte[] bytes = SnapshotCodec.encode(replay(TandemState.getDefaultInstance(), log(), 1));
    for (int i = 0; i < bytes.length; i++) {
      byte[] bad = bytes.clone();
      bad[i] ^= (byte) 0x5A;
      assertThatThrownBy(() -> SnapshotCodec.decode(bad))
          .as("byte %d of %d flipped", i, bytes.length)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("snapshot");
    }
  }

  @Test
  void messagesSayWhatIsWrong() {
    byte[] bytes = SnapshotCodec.encode(replay(TandemState.getDefaultInstance(), log(), 1));
    byte[] flipped = bytes.clone();
    flipped[bytes.length - 1] ^= 1;
    assertThatThrownBy(() -> SnapshotCodec.decode(flipped)).hasMessageContaining("corrupt").hasMessageContaining("CRC32C");
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    assertThatThrownBy(() -> SnapshotCodec.decode(longer)).hasMessageContaining("longer than declared");
    byte[] foreign = "{\"groups\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SnapshotCodec.decode(foreign)).hasMessageContaining("not a Tandem snapshot");
    byte[] future = bytes.clone();
    future[7] = 9;
    assertThatThrownBy(() -> SnapshotCodec.decode(future)).hasMessageContaining("version 9");
  }
}
