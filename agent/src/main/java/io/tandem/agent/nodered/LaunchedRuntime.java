package io.tandem.agent.nodered;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.proto.agent.RuntimeState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Node-RED process the agent starts (from the one launcher thread, with a parent-death signal),
 * supervises and restarts as a spare with backoff after every exit.
 */
final class LaunchedRuntime extends ProbedRuntime {
  /** A runtime not ready this long after its launch is killed and launched again. */
  static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String token;
  private final UserDirLayout layout;
  private final HttpClient http = NodeRedAdminClient.newHttpClient();
  private final RestartBackoff backoff;
  private final Thread shutdownHook;
  private volatile CompletableFuture<?> ownerDone;
  private volatile Duration ownerWait = Duration.ZERO;
  private volatile URI storageAgent;

  // guarded by lock
  private volatile Process process;
  private NodeRedAdminClient client;
  private long launchedNanos;
  private String killReason;
  private int restarts;
  private boolean started;

  LaunchedRuntime(NodeRedSettings settings, String token) {
    super(settings, "port-" + settings.port());
    this.token = token;
    this.layout = new UserDirLayout(settings.userDir());
    Duration healthy = settings.restartBackoffMax().compareTo(Duration.ofSeconds(30)) > 0
        ? settings.restartBackoffMax() : Duration.ofSeconds(30);
    this.backoff = new RestartBackoff(settings.restartBackoffMin(), settings.restartBackoffMax(), healthy);
    this.shutdownHook = new Thread(this::killOnExit, "tandem-nodered-kill-on-exit");
  }

  @Override
  public void useStoragePlugin(URI agentUrl) {
    this.storageAgent = agentUrl;
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
      UserDirPreparer.prepare(layout, settings.host(), settings.port(), settings.tokenFile(), storageAgent);
      p = LaunchThread.start(NodeRedCommand.processBuilder(settings, layout));
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (closed) {
          return;
        }
        Duration delay = backoff.next(Duration.ZERO);
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
      String why = killReason != null ? "killed by the agent: " + killReason : exitMeaning(code);
      String detail = "exited with code " + code + " (" + why + ")";
      set(RuntimeState.RUNTIME_DOWN, -1, detail);
      String ran = String.format("%.1f s", uptimeNanos / 1e9);
      if (closed) {
        log.info("Node-RED {} (pid {}) stopped: {}", name, p.pid(), detail);
        return;
      }
      Duration delay = backoff.next(Duration.ofNanos(uptimeNanos));
      restarts++;
      log.warn("Node-RED {} (pid {}, generation {}) {} after {}; restarting it as a spare in {} ms (restart #{})",
          name, p.pid(), gen, detail, ran, delay.toMillis(), restarts);
      schedule(this::launch, delay);
    }
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
      String root = info.path("adminRoot").asText("/");
      URI base = settings.baseUrl().resolve(root.startsWith("/") ? root : "/" + root);
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
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      p = process;
      gen = generation;
    }
    stopProbing();
    if (p != null) {
      synchronized (lock) {
        killReason = "agent closing";
      }
      ProcessTree.killForcibly(p);
      awaitExit(p, gen, Duration.ofSeconds(2));
    }
    events.shutdown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | SecurityException shuttingDown) {
      // the hook runs anyway
    }
  }
}
