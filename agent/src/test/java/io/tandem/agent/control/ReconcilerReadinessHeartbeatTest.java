package io.tandem.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.HookSettings;
import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.hooks.HookRunner;
import io.tandem.agent.http.AgentMetrics;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.agent.RuntimeState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A runtime that becomes a ready spare (or stops being one) is heartbeated at once, not at the next renewal. */
class ReconcilerReadinessHeartbeatTest {
  /** A runtime whose status and events the test drives. */
  static final class FiringRuntime implements NodeRedRuntime {
    final List<Consumer<RuntimeStatus>> listeners = new CopyOnWriteArrayList<>();
    volatile RuntimeStatus status = new RuntimeStatus(RuntimeState.RUNTIME_STARTING, 7, 1, "launched");

    void fire(RuntimeState s, String detail) {
      status = new RuntimeStatus(s, 7, 1, detail);
      listeners.forEach(l -> l.accept(status));
    }

    @Override public void start() {}
    @Override public RuntimeStatus status() { return status; }
    @Override public void addListener(Consumer<RuntimeStatus> listener) { listeners.add(listener); }
    @Override public void setToken(long token, Duration timeout) {}
    @Override public void startFlows(Duration timeout) {}
    @Override public void stopFlows(Duration timeout) {}
    @Override public boolean kill(String reason) { return true; }
    @Override public void reloadFlows(Duration timeout) {}
    @Override public NodeRedAdminClient adminClient() { return null; }
    @Override public boolean canKill() { return true; }
    @Override public void close() {}
  }

  /** Records the runtime state current at each heartbeat asked for. */
  static final class RecordingPort implements CoordinatorPort {
    final List<RuntimeState> heartbeats = new CopyOnWriteArrayList<>();
    final FiringRuntime runtime;

    RecordingPort(FiringRuntime runtime) {
      this.runtime = runtime;
    }

    @Override public void heartbeatNow() { heartbeats.add(runtime.status().state()); }
    @Override public void reportFenced(long token, FenceReason reason, String detail) {}
  }

  private static void awaitSize(List<?> l, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (l.size() < n && System.nanoTime() - deadline < 0) {
      Thread.sleep(5);
    }
  }

  @Test
  void heartbeatsOnceWhenTheRuntimeBecomesASpareAndOnceWhenItStopsBeingOne() throws Exception {
    FiringRuntime rt = new FiringRuntime();
    RecordingPort port = new RecordingPort(rt);
    try (HookRunner hooks = new HookRunner(HookSettings.none(), "g", "a");
        Reconciler r = new Reconciler("g", "a", LeaseSettings.defaults(), rt, port, hooks,
            new AgentMetrics("g", "a"), () -> "127.0.0.1:1")) {
      r.start();
      rt.fire(RuntimeState.RUNTIME_STARTING, "launched");
      rt.fire(RuntimeState.RUNTIME_STANDBY, "");
      awaitSize(port.heartbeats, 1);
      assertThat(port.heartbeats).containsExactly(RuntimeState.RUNTIME_STANDBY);

      rt.fire(RuntimeState.RUNTIME_STANDBY, "probe answered again"); // still a spare: nothing new to tell
      rt.fire(RuntimeState.RUNTIME_DOWN, "exited with code 1");
      awaitSize(port.heartbeats, 2);
      Thread.sleep(200); // events are handled in order: a heartbeat for the second STANDBY would precede DOWN's
      assertThat(port.heartbeats).containsExactly(RuntimeState.RUNTIME_STANDBY, RuntimeState.RUNTIME_DOWN);
    }
  }
}
