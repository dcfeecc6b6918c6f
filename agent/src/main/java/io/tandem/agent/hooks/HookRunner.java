package io.tandem.agent.hooks;

import io.tandem.agent.config.HookSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator's onActivate / onDeactivate commands (as keepalived's notify scripts) with
 * {@code sh -c}, after the action they describe, on their own threads: a slow or failing hook is
 * logged and killed after its timeout, and never delays fencing.
 */
public final class HookRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);
  /** Hooks of one agent run one after another, so an activate hook never overtakes a deactivate. */
  private final ExecutorService pool;
  private final HookSettings settings;
  private final String group;
  private final String instance;

  public HookRunner(HookSettings settings, String group, String instance) {
    this.settings = settings;
    this.group = group;
    this.instance = instance;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tandem-hook-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public enum Event { ACTIVATE, DEACTIVATE }

  /** Queues the hook for {@code event} if one is configured; returns at once. */
  public Future<Integer> fire(Event event, long token, String reason) {
    String command = event == Event.ACTIVATE ? settings.onActivate() : settings.onDeactivate();
    if (command.isEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return pool.submit(() -> run(event, command, token, reason));
  }

  private Integer run(Event event, String command, long token, String reason) {
    String name = event == Event.ACTIVATE ? "onActivate" : "onDeactivate";
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("TANDEM_GROUP", group);
    env.put("TANDEM_INSTANCE", instance);
    env.put("TANDEM_TOKEN", Long.toString(token));
    env.put("TANDEM_REASON", reason);
    env.put("TANDEM_EVENT", event.name().toLowerCase(java.util.Locale.ROOT));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      log.warn("hook {} could not be started: {}", name, e.getMessage());
      return null;
    }
    Thread reader = new Thread(() -> copyOutput(name, p), "tandem-hook-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(p);
        log.warn("hook {} killed: still running after {} ms", name, settings.timeout().toMillis());
        return null;
      }
    } catch (InterruptedException e) {
      killTree(p);
      Thread.currentThread().interrupt();
      return null;
    }
    int code = p.exitValue();
    if (code != 0) {
      log.warn("hook {} failed with exit code {} (token {})", name, code, token);
    } else {
      log.info("hook {} done (token {})", name, token);
    }
    return code;
  }

  /**
   * SIGKILL of the hook's shell first, then of the children it started (collected before): killed
   * the other way round, the shell sees its child die and runs the rest of the command (the part
   * after a slow "sleep 30;") before its own kill lands.
   */
  private static void killTree(Process p) {
    var descendants = p.descendants().toList();
    p.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  private static void copyOutput(String name, Process p) {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        log.info("hook {}: {}", name, line.length() > 500 ? line.substring(0, 500) + "..." : line);
      }
    } catch (IOException ignored) {
      // the process was killed: nothing more to copy
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
