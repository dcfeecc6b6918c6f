package io.tandem.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.coordinator.grpc.CallerLane;
import io.tandem.coordinator.lease.LeaderHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The two lanes of the gRPC executor: what waits in the urgent lane runs before what waits in the
 * normal lane, without starving it, and a long wait is a bad health signal.
 */
class GrpcExecutorTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final LeaderHealth health = new LeaderHealth(LeaderHealth.Limits.DEFAULTS);

  /** One thread, held busy until {@code release} while the test queues tasks behind it. */
  private GrpcExecutor blockedExecutor(CountDownLatch release, CountDownLatch busy) {
    GrpcExecutor ex = new GrpcExecutor(health, clock::get, 1);
    ex.execute(() -> {
      busy.countDown();
      await(release);
    });
    await(busy);
    return ex;
  }

  @Test
  void urgentTasksRunBeforeNormalTasksThatWereQueuedEarlier() {
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(4);
    try (GrpcExecutor ex = blockedExecutor(release, new CountDownLatch(1))) {
      ex.execute(() -> record(order, "standby-1", done));
      ex.execute(() -> record(order, "standby-2", done));
      ex.urgent().execute(() -> record(order, "active-1", done));
      ex.urgent().execute(() -> record(order, "active-2", done));
      assertThat(ex.waiting()).containsExactly(2, 2);
      release.countDown();
      await(done);
    }
    assertThat(order).containsExactly("active-1", "active-2", "standby-1", "standby-2");
  }

  @Test
  void aWaitingNormalTaskGoesFirstAfterAStreakOfUrgentOnes() {
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    int urgent = GrpcExecutor.URGENT_STREAK + 2;
    CountDownLatch done = new CountDownLatch(urgent + 1);
    try (GrpcExecutor ex = blockedExecutor(release, new CountDownLatch(1))) {
      ex.execute(() -> record(order, "admin", done));
      for (int i = 1; i <= urgent; i++) {
        String name = "active-" + i;
        ex.urgent().execute(() -> record(order, name, done));
      }
      release.countDown();
      await(done);
    }
    assertThat(order.indexOf("admin")).isEqualTo(GrpcExecutor.URGENT_STREAK);
    assertThat(order).hasSize(urgent + 1).endsWith("active-" + (GrpcExecutor.URGENT_STREAK + 1),
        "active-" + urgent);
  }

  @Test
  void aTaskThatWaitedLongForAThreadMakesTheLeaderDegraded() {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2);
    try (GrpcExecutor ex = blockedExecutor(release, new CountDownLatch(1))) {
      ex.urgent().execute(done::countDown);
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // within the 150 ms limit
      release.countDown();
      await(done, 1);
      assertThat(health.degraded(clock.get())).isFalse();

      CountDownLatch release2 = new CountDownLatch(1);
      CountDownLatch busy2 = new CountDownLatch(1);
      ex.execute(() -> {
        busy2.countDown();
        await(release2);
      });
      await(busy2);
      ex.execute(done::countDown);
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
      release2.countDown();
      await(done);
      assertThat(health.degraded(clock.get())).isTrue();
      assertThat(health.reason()).contains("waited 400 ms for a gRPC thread");
    }
  }

  @Test
  void closeLetsQueuedTasksFinishAndRefusesNewOnes() {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2);
    GrpcExecutor ex = blockedExecutor(release, new CountDownLatch(1));
    ex.execute(done::countDown);
    ex.urgent().execute(done::countDown);
    release.countDown();
    ex.close();
    assertThat(done.getCount()).isZero();
    assertThatThrownBy(() -> ex.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> ex.urgent().execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void aFailingTaskDoesNotCostAThread() {
    CountDownLatch done = new CountDownLatch(1);
    try (GrpcExecutor ex = new GrpcExecutor(health, clock::get, 1)) {
      ex.execute(() -> {
        throw new IllegalStateException("test: a task fails");
      });
      ex.execute(done::countDown);
      await(done);
    }
    assertThat(done.getCount()).isZero();
  }

  @Test
  void whatATaskHandsOnThroughItsCallerLaneStaysInItsLane() {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    try (GrpcExecutor ex = new GrpcExecutor(health, clock::get, 1)) {
      ex.urgent().execute(() -> {
        ex.execute(() -> record(order, "normal, queued first", done));
        CallerLane.current().execute(() -> record(order, "the urgent call's continuation", done));
      });
      await(done);
    }
    assertThat(order).containsExactly("the urgent call's continuation", "normal, queued first");
    List<String> inline = new ArrayList<>();
    CallerLane.current().execute(() -> inline.add(Thread.currentThread().getName()));
    assertThat(inline).as("outside the pool: at once, on this thread").containsExactly(Thread.currentThread().getName());
  }

  private static void record(List<String> order, String name, CountDownLatch done) {
    order.add(name);
    done.countDown();
  }

  private static void await(CountDownLatch latch) {
    await(latch, 0);
  }

  private static void await(CountDownLatch latch, long downTo) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (latch.getCount() > downTo) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for tasks");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
