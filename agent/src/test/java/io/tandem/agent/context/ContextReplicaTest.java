package io.tandem.agent.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.ContextChange;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextSnapshot;
import org.junit.jupiter.api.Test;

class ContextReplicaTest {
  static ContextOp set(String scope, String key, String json) {
    return ContextOp.newBuilder().setKind(ContextOp.Kind.SET).setScope(scope).setKey(key)
        .setValue(ByteString.copyFromUtf8(json)).build();
  }

  static ContextChange change(long from, long to, ContextOp... ops) {
    return ContextChange.newBuilder().setFromVersion(from).setVersion(to).addAllEffects(java.util.List.of(ops)).build();
  }

  static ContextSnapshot snapshot(long version, String key, String json) {
    return ContextSnapshot.newBuilder().setVersion(version).setMaxValueBytes(100).setMaxGroupBytes(1000)
        .putScopes("global", ContextScope.newBuilder().putValues(key, ByteString.copyFromUtf8(json)).build())
        .build();
  }

  @Test
  void changesApplyOnlyOnTheirVersion() {
    ContextReplica r = new ContextReplica(10, 1 << 20);
    assertThat(r.apply(change(0, 5, set("global", "a", "1")))).isEqualTo(ContextReplica.Applied.GAP);
    r.install(snapshot(5, "a", "1"));
    assertThat(r.apply(change(5, 9, set("global", "a", "2")))).isEqualTo(ContextReplica.Applied.APPLIED);
    assertThat(r.apply(change(5, 9, set("global", "a", "2")))).isEqualTo(ContextReplica.Applied.DUPLICATE);
    assertThat(r.apply(change(12, 15, set("global", "a", "3")))).isEqualTo(ContextReplica.Applied.GAP);
    assertThat(r.version()).isEqualTo(9);
    assertThat(r.value("global", "a").toStringUtf8()).isEqualTo("2");
  }

  @Test
  void sinceAnswersOpsOnTheChainAndNullOffIt() {
    ContextReplica r = new ContextReplica(10, 1 << 20);
    r.install(snapshot(5, "a", "1"));
    r.apply(change(5, 9, set("global", "a", "2")));
    r.apply(change(9, 11, set("global", "b", "3"),
        ContextOp.newBuilder().setKind(ContextOp.Kind.DELETE).setScope("global").setKey("a").build()));
    assertThat(r.since(5)).hasSize(3);
    assertThat(r.since(9)).hasSize(2);
    assertThat(r.since(11)).isEmpty();
    assertThat(r.since(0)).isNull();   // a plugin without a copy: full
    assertThat(r.since(4)).isNull();   // before the snapshot
    assertThat(r.since(7)).isNull();   // not a version of the chain
    assertThat(r.since(12)).isNull();  // ahead (an older agent's numbering)
    assertThat(r.value("global", "a")).isNull();
    assertThat(r.copy().get("global")).containsOnlyKeys("b");
  }

  @Test
  void theRingIsBoundedAndOlderVersionsGetTheWholeContext() {
    ContextReplica r = new ContextReplica(3, 1 << 20);
    r.install(snapshot(1, "a", "0"));
    for (int v = 1; v <= 5; v++) {
      r.apply(change(v, v + 1, set("global", "a", String.valueOf(v))));
    }
    assertThat(r.since(1)).isNull();
    assertThat(r.since(2)).isNull();
    assertThat(r.since(3)).hasSize(3);
  }

  @Test
  void aNewerSnapshotReplacesTheContext() {
    ContextReplica r = new ContextReplica(10, 1 << 20);
    r.install(snapshot(5, "a", "1"));
    assertThat(r.install(snapshot(4, "old", "0"))).isFalse();
    assertThat(r.install(snapshot(8, "b", "2"))).isTrue();
    assertThat(r.copy().get("global")).containsOnlyKeys("b");
    assertThat(r.since(5)).isNull();
    assertThat(r.maxValueBytes()).isEqualTo(100);
  }
}
