package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chaos checker's {@code context} property: the committed counter never goes backwards, and advances. */
class ChaosContextCheckTest {
  private static final long S = 1_000_000_000L;
  private final ChaosChecker checker =
      new ChaosChecker(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(4));

  /** Samples one second apart: pairs of (version, counter); a null counter is an absent key. */
  private static List<ContextSampler.Sample> history(Long... versionAndCounter) {
    List<ContextSampler.Sample> out = new ArrayList<>();
    for (int i = 0; i < versionAndCounter.length; i += 2) {
      out.add(new ContextSampler.Sample((i / 2 + 1) * S, versionAndCounter[i], versionAndCounter[i + 1]));
    }
    return out;
  }

  @Test
  void aCounterThatOnlyGrowsOrStaysIsFine() {
    // equal values: no active for a while (a fault), or a sample between two flushes
    List<Finding> f = checker.contextCounter(history(10L, 5L, 12L, 9L, 12L, 9L, 40L, 30L, 41L, 31L), 0);
    assertThat(f).isEmpty();
  }

  @Test
  void aCounterThatGoesBackIsAFindingNamingBothSamples() {
    // 30 -> 24: a new active started on older context, or a stale active's write was committed
    List<Finding> f = checker.contextCounter(history(10L, 5L, 20L, 30L, 25L, 24L, 30L, 50L), 0);
    assertThat(f).extracting(Finding::property).containsExactly("context");
    assertThat(f.get(0).message()).contains("global/chaos_counter", "went back from 30 to 24");
    assertThat(f.get(0).lines()).containsExactly("2.000 s: version 20, counter 30", "3.000 s: version 25, counter 24");
  }

  @Test
  void aCounterThatDisappearsOrAVersionThatGoesBackIsAFinding() {
    List<Finding> f = checker.contextCounter(history(10L, 5L, 20L, null, 18L, 30L), 0);
    assertThat(f).extracting(Finding::message).satisfiesExactly(
        m -> assertThat(m).contains("went back from 5 to absent"),
        m -> assertThat(m).contains("version went back from 20 to 18"));
  }

  @Test
  void aCounterThatNeverAdvancedOrNoSampleIsAFinding() {
    assertThat(checker.contextCounter(history(10L, 7L, 10L, 7L), 0)).extracting(Finding::message)
        .singleElement().asString().contains("did not advance", "first sample 7, last 7");
    assertThat(checker.contextCounter(history(0L, null, 0L, null), 0)).extracting(Finding::message)
        .singleElement().asString().contains("did not advance");
    assertThat(checker.contextCounter(List.of(), 0)).extracting(Finding::message)
        .singleElement().asString().contains("no reading");
    // absent at first (before the first commit), then counting: fine
    assertThat(checker.contextCounter(history(0L, null, 3L, 1L), 0)).isEmpty();
  }

  @Test
  void aSampleReadsTheCounterFromTheSnapshotsGlobalScope() {
    ContextSnapshot snap = ContextSnapshot.newBuilder().setVersion(77)
        .putScopes("global", ContextScope.newBuilder().putValues("chaos_counter", ByteString.copyFromUtf8("42"))
            .putValues("other", ByteString.copyFromUtf8("\"x\"")).build())
        .putScopes("flow:f1", ContextScope.newBuilder().putValues("chaos_counter", ByteString.copyFromUtf8("9")).build())
        .build();
    assertThat(ContextSampler.sample(5, snap)).isEqualTo(new ContextSampler.Sample(5, 77, 42L));
    ContextSnapshot notANumber = ContextSnapshot.newBuilder().setVersion(78)
        .putScopes("global", ContextScope.newBuilder().putValues("chaos_counter", ByteString.copyFromUtf8("{}")).build())
        .build();
    assertThat(ContextSampler.sample(6, notANumber).counter()).isNull();
    assertThat(ContextSampler.sample(7, ContextSnapshot.getDefaultInstance()).counter()).isNull();
  }
}
