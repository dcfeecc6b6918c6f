package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.agent.config.AgentConfig;
import io.tandem.agent.config.HookSettings;
import io.tandem.common.config.HostPort;
import io.tandem.agent.config.LeaseSettings;
import io.tandem.agent.nodered.NodeRedSettings;
import io.tandem.agent.nodered.UserDirLayout;
import io.tandem.coordinator.testing.FreePorts;
import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An agent process whose JVM exits through its shutdown hooks (System.exit, SIGHUP: not the
 * SIGTERM handler) stops the flows gracefully and reports SHUTDOWN before Node-RED is killed; the
 * runtime's own kill-on-exit hook does not race it.
 */
class ShutdownOrderTest {
  @Test
  void jvmExitStopsFlowsReportsShutdownThenKillsNodeRed() throws Exception {
    try (AgentHarness h = AgentHarness.start("exit", "solo")) {
      Path root = h.outFile().getParent();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          Child.class.getName(), h.cluster().grpcAddresses(), root.toString(),
          AgentHarness.redJs().toString())
          .redirectErrorStream(true).start();
      long nodePid = -1;
      try {
        StringBuilder output = new StringBuilder();
        // on a thread of its own: this read blocks until the child exits, and on the default async
        // pool it would hold the JVM's only common-pool worker (JDK 25, 2 CPUs) that the
        // coordinators' Raft writes in this JVM also need
        CompletableFuture<Long> pid = CompletableFuture.supplyAsync(() -> readUntilExit(child, output),
            ownThread("child-agent-output"));
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child agent exits").isTrue();
        nodePid = pid.get(10, TimeUnit.SECONDS);
        String out = output.toString();
        assertThat(nodePid).as(out).isPositive();
        assertThat(child.exitValue()).as(out).isZero();

        Optional<ProcessHandle> node = ProcessHandle.of(nodePid);
        if (node.isPresent()) {
          assertThat(node.get().onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        }
        // the graceful path ran: flows stopped (SHUTDOWN) before Node-RED was stopped (SIGTERM,
        // as it expects, its flows being stopped), and the last-resort hook found nothing left to kill
        assertThat(out).contains("flows stopped: the agent is shutting down");
        assertThat(out.indexOf("flows stopped: the agent is shutting down"))
            .isLessThan(out.indexOf("stopped by the agent with SIGTERM: agent closing"));
        assertThat(out).doesNotContain("JVM exit: killing Node-RED");

        // the leader acted on the SHUTDOWN report, not on the lease running out
        AgentHarness.await("the group deactivated", AgentHarness.LONG,
            () -> h.client().group("exit").getActive().isEmpty());
        List<Transition> history = h.client().admin(s -> s.history(
            HistoryRequest.newBuilder().setGroup("exit").build())).getTransitionsList();
        Transition last = history.get(history.size() - 1);
        assertThat(last.getKind()).isEqualTo(TransitionKind.DEACTIVATED);
        assertThat(last.getReason()).contains("fenced itself (shutdown)");
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
        if (nodePid > 0) {
          ProcessHandle.of(nodePid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
  }

  /** Runs each task on a new daemon thread (not the common pool: the task blocks on I/O). */
  static Executor ownThread(String name) {
    return task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      t.start();
    };
  }

  /** Reads the child's output to its end; returns the pid it printed (or -1). */
  private static long readUntilExit(Process child, StringBuilder output) {
    long pid = -1;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        synchronized (output) {
          output.append(line).append('\n');
        }
        if (line.startsWith("ACTIVE NODE-RED-PID ")) {
          pid = Long.parseLong(line.substring(20).trim());
        }
      }
    } catch (Exception e) {
      output.append("(output ended: ").append(e).append(")\n");
    }
    return pid;
  }

  /**
   * An embedder-like agent process: starts an Agent for instance "solo" of group "exit", waits
   * until it runs the flows, then leaves with System.exit(0) (JVM shutdown hooks only).
   */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      String coordinators = args[0];
      Path root = Path.of(args[1]);
      Path userDir = root.resolve("solo");
      Files.createDirectories(userDir);
      Files.writeString(new UserDirLayout(userDir).flowsFile(), Flows.appender("solo", root.resolve("out.txt")));
      int port = FreePorts.pick(1).get(0);
      NodeRedSettings nr = new NodeRedSettings(NodeRedSettings.Mode.LAUNCH,
          List.of("node", args[2]), userDir, "127.0.0.1", port, List.of(), Map.of(),
          null, userDir.resolve("tandem-agent.token"), AgentHarness.PROBE_INTERVAL,
          AgentHarness.PROBE_TIMEOUT, 3, null, null);
      AgentConfig cfg = new AgentConfig("exit", "solo", "127.0.0.1",
          Arrays.asList(coordinators.split(",")), new HostPort("127.0.0.1", 0),
          LeaseSettings.defaults(), nr, new HookSettings(null, null, Duration.ofSeconds(5)));
      Agent agent = new Agent(cfg);
      agent.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!agent.snapshot().activeNow(System.nanoTime())) {
        if (System.nanoTime() > deadline) {
          System.out.println("NEVER ACTIVE");
          System.exit(3);
        }
        Thread.sleep(20);
      }
      System.out.println("ACTIVE NODE-RED-PID " + agent.runtime().status().pid());
      System.out.flush();
      Thread.sleep(500); // a few heartbeats as the active
      System.exit(0);
    }
  }
}
