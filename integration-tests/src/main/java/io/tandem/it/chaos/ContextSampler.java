package io.tandem.it.chaos;

import io.tandem.it.harness.AdminRpc;
import io.tandem.proto.state.ContextScope;
import io.tandem.proto.state.ContextSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Samples the group's committed context during a chaos run: every {@code every}, one
 * AgentService.GetContext (read under confirmed leadership) with the harness's admin certificate,
 * keeping the context version and the value of {@link ChaosCounterFlow#KEY}. Calls that find no
 * leader during a fault are skipped; one thread, so the samples are in real-time order.
 */
final class ContextSampler implements AutoCloseable {
  /**
   * One reading of the committed context.
   *
   * @param counter the committed counter, or null when the key is absent (or not a number)
   */
  record Sample(long nanos, long version, Long counter) {}

  private final AdminRpc admin;
  private final String group;
  private final String member;
  private final Duration every;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;
  private int missed;

  /** @param member an instance of the group, named in the request (GetContext asks as a member) */
  ContextSampler(AdminRpc admin, String group, String member, Duration every) {
    this.admin = admin;
    this.group = group;
    this.member = member;
    this.every = every;
    this.thread = new Thread(this::loop, "chaos-context-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!stop) {
      Optional<ContextSnapshot> s = admin.tryContext(group, member);
      synchronized (this) {
        if (s.isPresent()) {
          samples.add(sample(System.nanoTime(), s.get()));
        } else {
          missed++;
        }
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One sample of {@code s}, read at {@code nanos}. */
  static Sample sample(long nanos, ContextSnapshot s) {
    ContextScope scope = s.getScopesMap().get(ChaosCounterFlow.SCOPE);
    Long counter = null;
    if (scope != null && scope.getValuesMap().containsKey(ChaosCounterFlow.KEY)) {
      String json = scope.getValuesMap().get(ChaosCounterFlow.KEY).toString(StandardCharsets.UTF_8).trim();
      try {
        counter = (long) Double.parseDouble(json);
      } catch (NumberFormatException e) {
        counter = null; // not a number: the checker reports it like an absent key
      }
    }
    return new Sample(nanos, s.getVersion(), counter);
  }

  /** Takes one sample now, waiting for a leader (the reading at the end of the run). */
  synchronized Sample sampleNow() {
    Sample s = sample(System.nanoTime(), admin.context(group, member));
    samples.add(s);
    return s;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Reads that found no coordinator to answer (during faults). */
  synchronized int missed() {
    return missed;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(5000);
  }
}
