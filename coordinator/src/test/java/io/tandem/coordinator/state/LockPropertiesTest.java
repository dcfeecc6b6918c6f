package io.tandem.coordinator.state;

import static io.tandem.coordinator.state.TestCommands.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.state.Command;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Lock;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random lock commands (fresh, stale, duplicated and late proposals, releases, removals and
 * re-additions of instances): per key the token strictly increases with every acquisition, a
 * key has at most one holder, the holder is a member, and every holder change is an
 * acquisition or a release in the transitions.
 */
class LockPropertiesTest {
  private static final String[] KEYS = {"k1", "k2", "k3"};
  private static final String[] INSTANCES = {"a", "b", "c"};

  record Op(int kind, int key, int instance, int tokenMode) {}

  @Provide
  Arbitrary<Op> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 9),
            Arbitraries.integers().between(0, KEYS.length - 1),
            Arbitraries.integers().between(0, INSTANCES.length - 1),
            Arbitraries.integers().between(0, 3))
        .as(Op::new);
  }

  @Property(tries = 300)
  void tokensStrictlyIncreaseAndNeverTwoHolders(@ForAll @Size(max = 100) List<@net.jqwik.api.From("ops") Op> ops) {
    TandemState state = Applier.apply(TandemState.getDefaultInstance(), createAllActive("g", INSTANCES), 1).state();
    long index = 1;
    Map<String, Long> lastToken = new HashMap<>();
    Map<String, List<Long>> seen = new HashMap<>();
    List<Command> delivered = new ArrayList<>();
    for (Op op : ops) {
      Group g = state.getGroupsOrThrow("g");
      String key = KEYS[op.key()];
      String inst = INSTANCES[op.instance()];
      int at = LockCommands.find(g, key);
      Lock l = at >= 0 ? g.getLocks(at) : null;
      long current = l == null ? 0 : l.getToken();
      List<Long> old = seen.computeIfAbsent(key, k -> new ArrayList<>(List.of(0L)));
      long token = switch (op.tokenMode()) {
        case 0, 1 -> current;
        case 2 -> old.get(Math.floorMod(op.key() + op.instance(), old.size()));
        default -> current + 1;
      };
      Command c = switch (op.kind()) {
        case 0, 1, 2, 3 -> acquire("g", key, inst, token);
        case 4, 5 -> releaseLock("g", key, token, op.tokenMode() == 1 ? "" : inst);
        case 6 -> remove("g", inst);
        case 7 -> add("g", inst);
        default -> delivered.isEmpty() ? acquire("g", key, inst, token)
            : delivered.get(Math.floorMod(op.key() * 7 + op.instance(), delivered.size())); // late duplicate
      };
      delivered.add(c);
      index += 1 + op.tokenMode() % 2;
      Applied a = Applier.apply(state, c, index);
      Group before = g;
      Group after = a.state().getGroupsOrThrow("g");
      for (Lock x : after.getLocksList()) {
        seen.computeIfAbsent(x.getKey(), k -> new ArrayList<>(List.of(0L))).add(x.getToken());
        long prev = lastToken.getOrDefault(x.getKey(), 0L);
        assertThat(x.getToken()).isGreaterThanOrEqualTo(prev);
        int bi = LockCommands.find(before, x.getKey());
        Lock was = bi >= 0 ? before.getLocks(bi) : null;
        if (!x.getHolder().isEmpty()) {
          assertThat(after.getInstancesList()).anyMatch(i -> i.getId().equals(x.getHolder()));
          if (was != null && !was.getHolder().isEmpty() && !was.getHolder().equals(x.getHolder())) {
            // a holder change always comes with a new, higher token
            assertThat(x.getToken()).isGreaterThan(was.getToken());
          }
        }
        if (was == null || was.getToken() != x.getToken()) {
          assertThat(x.getToken()).isEqualTo(index).isGreaterThan(prev);
          assertThat(a.transitions()).anyMatch(t -> t.getKind() == TransitionKind.LOCK_ACQUIRED
              && t.getLock().equals(x.getKey()) && t.getToken() == x.getToken());
        }
        lastToken.put(x.getKey(), x.getToken());
      }
      assertThat(after.getLocksList()).extracting(Lock::getKey).isSorted().doesNotHaveDuplicates();
      if (a.result().getOutcome() != Outcome.OK) {
        assertThat(after).isEqualTo(before);
      }
      for (Transition t : a.transitions()) {
        if (t.getKind() == TransitionKind.LOCK_ACQUIRED) {
          assertThat(t.getToken()).isEqualTo(index);
        }
      }
      assertThat(after.getToken()).isEqualTo(1);
      state = a.state();
    }
  }
}
