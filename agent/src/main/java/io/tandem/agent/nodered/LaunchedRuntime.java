package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A Node-RED process the agent starts (from the one launcher thread, with a parent-death signal),
 * supervises and restarts as a spare with backoff after every exit.
 */
final class LaunchedRuntime extends ProbedRuntime {
  /** A runtime not ready this long after its launch is killed and launched again. */
  static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
  /** Lines of Node-RED's own output copied into the agent's log when it exits before it was ready. */
  static final int BOOT_FAILURE_LINES = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String token;
  private final UserDirLayout layout;
  private final HttpClient http;
  private final RestartBackoff backoff;
  private final Thread shutdownHook;
  private volatile CompletableFuture<?> ownerDone;
  private volatile Duration ownerWait = Duration.ZERO;
  private volatile URI storageAgent;
  private volatile UserDirPreparer.ContextPlugin contextPlugin;

  // guarded by lock
  private volatile Process process;
  private NodeRedAdminClient client;
  /** The open-editor warning was logged (once per runtime, not at every relaunch). Guarded by lock. */
  private boolean warnedOpenEditor;
  private long launchedNanos;
  private String killReason;
  private boolean terminated; // killReason came with SIGTERM (a graceful stop), not SIGKILL
  private long logOffset;
  private long readyGeneration;
  private String lastBootFailure = ""; // last output line of the previous exit at boot
  private int restarts;
  private boolean started;
  /** The process was stopped for a requested restart: relaunch at once, no backoff. Guarded by lock. */
  private boolean restartRequested;
  private volatile List<String> command;

  LaunchedRuntime(NodeRedSettings settings, String token) {
    super(settings, "port-" + settings.port());
    this.token = token;
    this.http = AdminTls.httpClient(settings.adminCa());
    this.layout = new UserDirLayout(settings.userDir());
    this.backoff = new RestartBackoff(settings.restartBackoffMin(), settings.restartBackoffMax());
    this.shutdownHook = new Thread(this::killOnExit, "tandem-nodered-kill-on-exit");
    this.command = settings.command();
  }

  @Override
  public List<String> command() {
    return command;
  }

  @Override
  public String restart(List<String> newCommand, String reason) {
    Process p;
    long gen;
    synchronized (lock) {
      if (closed || !started) {
        return "the runtime is not running (the agent is " + (closed ? "closing" : "starting") + ")";
      }
      if (state == RuntimeState.RUNTIME_RUNNING) {
        return "its flows are running";
      }
      if (newCommand != null) {
        command = List.copyOf(newCommand);
      }
      p = process;
      gen = generation;
      if (p == null) {
        // down: the relaunch already scheduled uses the new command
        log.info("Restart of Node-RED {} requested ({}) while it is down; its next launch uses: {}", name, reason,
            String.join(" ", command));
        return "";
      }
      restartRequested = true;
      killReason = reason;
      terminated = true;
      // no probe of the stopping process may make it look ready again
      set(RuntimeState.RUNTIME_DOWN, p.pid(), "stopping for a restart: " + reason);
    }
    List<ProcessHandle> descendants = p.toHandle().descendants().toList();
    log.info("Restarting Node-RED {} (pid {}, generation {}): {}; SIGTERM now, then relaunch with: {}", name,
        p.pid(), gen, reason, String.join(" ", command));
    p.destroy();
    p.onExit().thenRun(() -> descendants.stream().filter(ProcessHandle::isAlive)
        .forEach(ProcessHandle::destroyForcibly));
    schedule(() -> {
      if (p.isAlive()) {
        log.warn("Node-RED {} (pid {}) has not exited {} ms after SIGTERM (nodeRed.stopTimeout); killing it",
            name, p.pid(), settings.stopTimeout().toMillis());
        ProcessTree.killForcibly(p);
      }
    }, settings.stopTimeout());
    return "";
  }

  @Override
  public void useStoragePlugin(URI agentUrl) {
    this.storageAgent = agentUrl;
  }

  @Override
  public void useContextPlugin(URI agentUrl, boolean isDefault) {
    this.contextPlugin = new UserDirPreparer.ContextPlugin(agentUrl, isDefault);
  }

  @Override
  public void closedOnExitBy(CompletableFuture<?> ownerDone, Duration wait) {
    this.ownerDone = ownerDone;
    this.ownerWait = wait;
  }

  /**
   * The JVM shutdown hook: the last resort so that Node-RED never outlives the JVM (the
   * parent-death signal covers a SIGKILLed JVM). When an owner shuts the runtime down itself, it
   * waits for that first, so the flows are stopped gracefully before anything is killed.
   */
  private void killOnExit() {
    CompletableFuture<?> owner = ownerDone;
    if (owner != null) {
      try {
        owner.get(ownerWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.error("The agent did not shut Node-RED {} down within {} ms of the JVM exit; killing it",
            name, ownerWait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        log.error("The agent's shutdown failed ({}); killing Node-RED {}", e.getCause(), name);
      }
    }
    Process p = process;
    if (p != null && p.isAlive()) {
      log.warn("JVM exit: killing Node-RED {} (pid {}) with SIGKILL", name, p.pid());
      ProcessTree.killForcibly(p);
    }
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (started || closed) {
        return;
      }
      started = true;
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    log.info("Launching Node-RED on {}:{} with userDir {} (command: {})", settings.host(), settings.port(),
        layout.userDir(), String.join(" ", NodeRedCommand.build(settings, layout)));
    events.execute(this::launch);
    startProbing();
  }

  private void launch() {
    Process p;
    try {
      UserDirPreparer.prepare(layout, settings.host(), settings.port(), settings.tokenFile(), storageAgent,
          settings.adminCa() != null, contextPlugin);
      ProcessBuilder pb = NodeRedCommand.processBuilder(settings, layout, command);
      logOffset = LogTail.size(layout.logFile());
      p = LaunchThread.start(pb);
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (closed) {
          return;
        }
        Duration delay = backoff.next(false);
        log.error("Cannot launch Node-RED {}: {}; trying again in {} ms", name, e.getMessage(), delay.toMillis());
        set(RuntimeState.RUNTIME_DOWN, -1, "cannot launch: " + e.getMessage());
        schedule(this::launch, delay);
      }
      return;
    }
    long gen;
    synchronized (lock) {
      if (closed) {
        ProcessTree.killForcibly(p);
        return;
      }
      process = p;
      client = null;
      killReason = null;
      terminated = false;
      launchedNanos = System.nanoTime();
      gen = ++generation;
      set(RuntimeState.RUNTIME_STARTING, p.pid(), "launched");
    }
    p.onExit().thenAccept(exited -> onExit(exited, gen));
  }

  private void onExit(Process p, long gen) {
    synchronized (lock) {
      if (process != p || gen != generation) {
        return;
      }
      process = null;
      client = null;
      long uptimeNanos = System.nanoTime() - launchedNanos;
      int code = p.exitValue();
      String why = killReason != null
          ? (terminated ? "stopped by the agent with SIGTERM: " : "killed by the agent: ") + killReason
          : exitMeaning(code);
      String detail = "exited with code " + code + " (" + why + ")";
      if (killReason == null && readyGeneration != gen) {
        detail = detail + bootFailure(p, gen);
      }
      set(RuntimeState.RUNTIME_DOWN, -1, detail);
      String ran = String.format("%.1f s", uptimeNanos / 1e9);
      if (closed) {
        log.info("Node-RED {} (pid {}) stopped: {}", name, p.pid(), detail);
        return;
      }
      if (restartRequested) {
        restartRequested = false;
        log.info("Node-RED {} (pid {}, generation {}) {} after {}; launching it again now", name, p.pid(), gen,
            detail, ran);
        schedule(this::launch, Duration.ZERO);
        return;
      }
      Duration delay = backoff.next(readyGeneration == gen);
      restarts++;
      log.warn("Node-RED {} (pid {}, generation {}) {} after {}; restarting it as a spare in {} ms (restart #{})",
          name, p.pid(), gen, detail, ran, delay.toMillis(), restarts);
      schedule(this::launch, delay);
    }
  }

  /**
   * Node-RED exited before it was ever ready (a bad settings.js, a Node.js too old for this
   * Node-RED, a port in use): copies its last output lines into the agent's log, and returns the
   * last one for the status detail.
   */
  private String bootFailure(Process p, long gen) {
    List<String> tail = LogTail.lastLines(layout.logFile(), logOffset, BOOT_FAILURE_LINES);
    if (tail.isEmpty()) {
      log.error("Node-RED {} (pid {}, generation {}) exited at boot without any output in {}", name, p.pid(),
          gen, layout.logFile());
      return "";
    }
    // the last line that is not a stack frame: the error itself, usually
    String last = tail.stream().map(String::strip).filter(l -> !l.startsWith("at ")).reduce((a, b) -> b)
        .orElse(tail.get(tail.size() - 1).strip());
    String summary = "; last output: " + (last.length() > 200 ? last.substring(0, 200) + " ..." : last);
    if (last.equals(lastBootFailure)) {
      // a crash loop at boot: the lines were logged at the first exit
      log.error("Node-RED {} (pid {}, generation {}) exited at boot again with the same output (last line: {})",
          name, p.pid(), gen, last);
      return summary;
    }
    lastBootFailure = last;
    log.error("Node-RED {} (pid {}, generation {}) exited at boot; its last {} lines of output (from {}):{}{}",
        name, p.pid(), gen, tail.size(), layout.logFile(), System.lineSeparator(),
        tail.stream().map(l -> "    | " + l).collect(Collectors.joining(System.lineSeparator())));
    return summary;
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      events.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: no restart
    }
  }

  private String exitMeaning(int code) {
    if (code > 128 && code < 160) {
      int signal = code - 128;
      String signalName = switch (signal) {
        case 9 -> "SIGKILL";
        case 15 -> "SIGTERM";
        case 6 -> "SIGABRT";
        case 11 -> "SIGSEGV";
        case 2 -> "SIGINT";
        default -> "signal " + signal;
      };
      return "killed by " + signalName + (signal == 9 ? ", e.g. by the out-of-memory killer" : "");
    }
    return code == 0 ? "exited normally" : "failed; see " + layout.logFile();
  }

  @Override
  protected NodeRedAdminClient probeTarget() {
    if (process == null || state == RuntimeState.RUNTIME_DOWN) {
      return null;
    }
    if (state == RuntimeState.RUNTIME_STARTING
        && System.nanoTime() - launchedNanos > BOOT_TIMEOUT.toNanos() && killReason == null) {
      String reason = "not ready " + BOOT_TIMEOUT.toSeconds() + " s after its launch";
      events.execute(() -> kill(reason));
      return null;
    }
    if (client == null) {
      client = readLaunchInfo(process.pid());
    }
    return client;
  }

  /** The admin API location that tandem-settings.js wrote for this very process, or null if not yet. */
  private NodeRedAdminClient readLaunchInfo(long expectedPid) {
    try {
      if (!Files.exists(layout.launchInfoFile())) {
        return null;
      }
      JsonNode info = JSON.readTree(layout.launchInfoFile().toFile());
      if (info.path("pid").asLong(-1) != expectedPid) {
        return null;
      }
      if (!info.path("adminAuth").asBoolean(true) && !warnedOpenEditor) {
        warnedOpenEditor = true;
        log.warn("Node-RED {}: {} has no adminAuth, so its editor and admin API on {}:{} are open to whoever "
            + "reaches that port, as without Tandem (the agent adds no login and widens nothing; only the agent "
            + "starts/stops flows and sets the fencing token). Add adminAuth to settings.js to require a login.",
            name, layout.userSettingsFile(), settings.host(), settings.port());
      }
      String root = info.path("adminRoot").asText("/");
      URI base = settings.baseUrl().resolve(root.startsWith("/") ? root : "/" + root);
      if ("https".equals(info.path("scheme").asText("http"))) {
        base = URI.create("https" + base.toString().substring("http".length()));
      }
      return new NodeRedAdminClient(base, token, NodeRedAdminClient.TOKEN_HEADER, http);
    } catch (IOException | IllegalArgumentException e) {
      return null; // written atomically; try again at the next probe
    }
  }

  @Override
  protected void bootMiss(Throwable cause) {
    // connection refused while Node-RED boots is expected; BOOT_TIMEOUT bounds the wait
  }

  @Override
  protected void onReady(boolean flowsRunning, String detail) {
    readyGeneration = generation;
    lastBootFailure = "";
    long ms = (System.nanoTime() - launchedNanos) / 1_000_000;
    if (flowsRunning) {
      log.warn("Node-RED {} (pid {}, generation {}) ready in {} ms but its {}", name, pid, generation, ms, detail);
    } else {
      log.info("Node-RED {} (pid {}, generation {}) ready as a spare in {} ms, flows stopped", name, pid, generation, ms);
    }
  }

  @Override
  protected NodeRedAdminClient controlTarget() {
    return process == null ? null : client;
  }

  @Override
  public boolean canKill() {
    return true;
  }

  @Override
  public boolean kill(String reason) {
    Process p;
    long gen;
    synchronized (lock) {
      p = process;
      gen = generation;
      if (p == null) {
        log.info("Kill of Node-RED {} requested ({}), but no process is running", name, reason);
        return true;
      }
      killReason = reason;
    }
    log.warn("Killing Node-RED {} (pid {}, generation {}) with SIGKILL: {}", name, p.pid(), gen, reason);
    ProcessTree.killForcibly(p);
    awaitExit(p, gen, Duration.ofSeconds(1));
    return true;
  }

  private void awaitExit(Process p, long gen, Duration timeout) {
    try {
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        onExit(p, gen);
      } else {
        log.error("Node-RED {} (pid {}) has not exited {} ms after SIGKILL", name, p.pid(), timeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    Process p;
    long gen;
    RuntimeState at;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      p = process;
      gen = generation;
      at = state;
    }
    stopProbing();
    if (p != null) {
      stopProcess(p, gen, at);
    }
    events.shutdown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | SecurityException shuttingDown) {
      // the hook runs anyway
    }
  }

  /**
   * Ends the process for good. With its flows stopped (a spare, or still booting with
   * runtimeFlowState "stop") it gets SIGTERM, so that Node-RED stops the way it expects and
   * closes its context stores (a localfilesystem store flushes pending writes), and SIGKILL only
   * if it has not exited within stopTimeout. A runtime that is hung or still runs flows is
   * killed at once: nothing it would do on its way out may be trusted.
   */
  private void stopProcess(Process p, long gen, RuntimeState at) {
    boolean graceful = (at == RuntimeState.RUNTIME_STANDBY || at == RuntimeState.RUNTIME_STARTING
        || at == RuntimeState.RUNTIME_DOWN) && !settings.stopTimeout().isZero();
    List<ProcessHandle> descendants = p.toHandle().descendants().toList();
    if (graceful) {
      synchronized (lock) {
        killReason = "agent closing";
        terminated = true;
      }
      long t0 = System.nanoTime();
      p.destroy(); // SIGTERM
      try {
        if (p.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          log.info("Node-RED {} (pid {}) exited {} ms after SIGTERM", name, p.pid(),
              (System.nanoTime() - t0) / 1_000_000);
          descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
          onExit(p, gen);
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      log.warn("Node-RED {} (pid {}) has not exited {} ms after SIGTERM (nodeRed.stopTimeout); killing it "
          + "with SIGKILL", name, p.pid(), settings.stopTimeout().toMillis());
    } else {
      log.info("Killing Node-RED {} (pid {}) with SIGKILL at close: it is {}, so its flows were not "
          + "confirmed stopped", name, p.pid(), at.name().replace("RUNTIME_", ""));
    }
    synchronized (lock) {
      killReason = "agent closing";
      terminated = false;
    }
    ProcessTree.killForcibly(p);
    descendants.forEach(ProcessHandle::destroyForcibly);
    awaitExit(p, gen, Duration.ofSeconds(2));
  }
}
