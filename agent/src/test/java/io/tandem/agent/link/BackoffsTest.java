package io.tandem.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.tandem.client.CoordinatorEndpoints;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's waits when the leader sheds load and after a leader change, on a fixed "random". */
class BackoffsTest {
  private static final long MS = 1_000_000L;
  private static final long RENEW = 250 * MS;
  private final AtomicReference<Double> random = new AtomicReference<>(0.0);
  private final CoordinatorEndpoints endpoints = CoordinatorEndpoints.parse("127.0.0.1:1");
  private final Backoffs backoffs = new Backoffs(endpoints, 500 * MS, random::get);

  @AfterEach
  void close() {
    endpoints.close();
  }

  private static Throwable exhausted(String retryAfterMs) {
    Metadata trailers = new Metadata();
    if (retryAfterMs != null) {
      trailers.put(CoordinatorEndpoints.RETRY_AFTER_TRAILER, retryAfterMs);
    }
    return Status.RESOURCE_EXHAUSTED.withDescription("busy").asRuntimeException(trailers);
  }

  @Test
  void aShedAnswerWaitsTheHintTimesAJitterBetweenHalfAndOneAndAHalf() {
    random.set(0.0);
    assertThat(backoffs.shedDelayNanos(exhausted("200"), RENEW)).contains(100 * MS);
    random.set(0.5);
    assertThat(backoffs.shedDelayNanos(exhausted("200"), RENEW)).contains(200 * MS);
    random.set(0.999);
    assertThat(backoffs.shedDelayNanos(exhausted("200"), RENEW).orElseThrow()).isBetween(299 * MS, 300 * MS);
  }

  @Test
  void withoutAUsableHintTheRenewIntervalIsTheBase() {
    random.set(0.5);
    assertThat(backoffs.shedDelayNanos(exhausted(null), RENEW)).contains(RENEW);
    assertThat(backoffs.shedDelayNanos(exhausted("soon"), RENEW)).contains(RENEW);
    assertThat(backoffs.shedDelayNanos(exhausted("-5"), RENEW)).contains(RENEW);
  }

  @Test
  void theWaitIsCappedAtTwoRenewIntervalsSoAnActivesLeaseIsNotRisked() {
    random.set(0.99);
    assertThat(backoffs.shedDelayNanos(exhausted("60000"), RENEW)).contains(2 * RENEW);
  }

  @Test
  void otherFailuresAreNotShedAnswers() {
    assertThat(backoffs.shedDelayNanos(Status.UNAVAILABLE.asRuntimeException(), RENEW)).isEmpty();
    assertThat(backoffs.shedDelayNanos(Status.DEADLINE_EXCEEDED.asRuntimeException(), RENEW)).isEmpty();
  }

  @Test
  void reconnectsAreSpreadUniformlyOverTheSpread() {
    random.set(0.0);
    assertThat(backoffs.reconnectSpreadNanos()).isZero();
    random.set(0.5);
    assertThat(backoffs.reconnectSpreadNanos()).isEqualTo(Backoffs.RECONNECT_SPREAD_NANOS / 2);
    random.set(0.999);
    assertThat(backoffs.reconnectSpreadNanos()).isLessThan(Backoffs.RECONNECT_SPREAD_NANOS);
  }

  @Test
  void theRealJitterSpreadsAgentsApart() {
    Backoffs real = new Backoffs(endpoints, 500 * MS);
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      long d = real.reconnectSpreadNanos();
      assertThat(d).isBetween(0L, Backoffs.RECONNECT_SPREAD_NANOS - 1);
      seen.add(d / MS);
    }
    assertThat(seen.size()).as("distinct ms among 50 draws").isGreaterThan(10);
  }

  @Test
  void aRedirectIsALeaderChangeOnlyWhenItNamesAnotherCoordinatorThanTheOneThatServedLast() {
    assertThat(Backoffs.isLeaderChange(java.util.Optional.of("127.0.0.1:7102"), "127.0.0.1:7101"))
        .as("the hint names a new leader").isTrue();
    assertThat(Backoffs.isLeaderChange(java.util.Optional.of("127.0.0.1:7101"), "127.0.0.1:7101"))
        .as("a deadline missed at the busy leader, then a follower's redirect back to it").isFalse();
    assertThat(Backoffs.isLeaderChange(java.util.Optional.empty(), "127.0.0.1:7101")).isFalse();
  }
}
