package io.tandem.agent.nodered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.proto.agent.RuntimeState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the agent's JVM is SIGKILLed, the Node-RED it launched dies too (parent-death signal). */
class ParentDeathTest {
  @TempDir Path dir;

  @Test
  void nodeRedDiesWithAKilledAgent() throws Exception {
    int port = NodeRedFixture.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dtandem.nodered.dir=" + System.getProperty("tandem.nodered.dir"),
        Child.class.getName(), dir.resolve("userdir").toString(), Integer.toString(port),
        dir.resolve("agent.token").toString())
        .redirectErrorStream(true).start();
    long nodePid = -1;
    try {
      // not on the common pool: the read blocks while Node-RED boots (see ShutdownOrderTest)
      CompletableFuture<Long> pid = CompletableFuture.supplyAsync(() -> readPid(agent), task -> {
        Thread t = new Thread(task, "child-agent-output");
        t.setDaemon(true);
        t.start();
      });
      nodePid = pid.get(90, TimeUnit.SECONDS);
      ProcessHandle node = ProcessHandle.of(nodePid).orElseThrow();
      assertThat(node.parent().map(ProcessHandle::pid)).contains(agent.pid());

      agent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the agent
      assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(node.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
    } finally {
      ProcessTree.killForcibly(agent);
      if (nodePid > 0) {
        ProcessHandle.of(nodePid).ifPresent(ProcessTree::killForcibly);
      }
    }
  }

  private static long readPid(Process agent) {
    // not closed here: the drain thread below keeps reading until the child dies
    BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
    try {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("NODE-RED-PID ")) {
          long pid = Long.parseLong(line.substring(13).trim());
          // keep draining so the child never blocks on a full pipe
          Thread drain = new Thread(() -> {
            try {
              while (r.readLine() != null) {
                // discard
              }
            } catch (java.io.IOException ended) {
              // the child is gone
            }
          });
          drain.setDaemon(true);
          drain.start();
          return pid;
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return fail("the child agent ended without launching Node-RED");
  }

  /** A minimal agent: launches Node-RED from the launcher thread and waits to be killed. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      NodeRedSettings s = NodeRedFixture.launchSettings(Path.of(args[0]), Integer.parseInt(args[1]), Path.of(args[2]));
      NodeRedRuntime rt = NodeRedRuntimes.create(s);
      NodeRedFixture.Recorder rec = new NodeRedFixture.Recorder(rt);
      rt.start();
      RuntimeStatus ready = rec.await(RuntimeState.RUNTIME_STANDBY, Duration.ofSeconds(60));
      System.out.println("NODE-RED-PID " + ready.pid());
      System.out.flush();
      Thread.sleep(Duration.ofMinutes(5).toMillis());
      rt.close();
    }
  }
}
