package io.tandem.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One child process (a coordinator or an agent) that can be started, killed, paused and started
 * again with the same command line. Output goes (appended) to a log file in the work dir.
 */
public final class ManagedProcess {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private final Path workDir;
  private volatile Process process;

  public ManagedProcess(String name, List<String> command, Map<String, String> env, Path workDir, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.workDir = workDir;
    this.log = log;
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public synchronized void start() {
    if (isAlive()) {
      throw new HarnessException(name + " is already running (pid " + pid() + ")");
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = ProcessRegistry.start(pb);
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    Process p = process;
    if (p == null) {
      throw new HarnessException(name + " was never started");
    }
    return p.pid();
  }

  public Optional<ProcessHandle> handle() {
    Process p = process;
    return p == null ? Optional.empty() : Optional.of(p.toHandle());
  }

  /** Throws with the end of the log if the process has exited (e.g. refused its config). */
  public void assertAlive() {
    if (!isAlive()) {
      String tail;
      try {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(log);
        tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        tail = "(cannot read " + log + ": " + e.getMessage() + ")";
      }
      throw new HarnessException(name + " exited" + (process == null ? "" : " with code " + process.exitValue())
          + "; end of " + log + ":\n  " + tail);
    }
  }

  /** SIGKILL the process and everything it started; returns when they are gone (bounded). */
  public void kill() {
    Process p = process;
    if (p != null) {
      ProcessRegistry.killTree(p.toHandle());
      awaitExit(Duration.ofSeconds(10)); // until the JDK has reaped it, so that isAlive() is false
    }
  }

  /** SIGSTOP (freeze) this process only; its children keep running unless stopped too. */
  public void pause() {
    ProcessRegistry.signal(pid(), "STOP");
  }

  public void resume() {
    ProcessRegistry.signal(pid(), "CONT");
  }

  /** Waits (bounded) for the process to exit by itself. */
  /**
   * Waits until the process accepts connections on 127.0.0.1:{@code port}; kills it and throws if it
   * exits first or does not listen within {@code timeout} (a proxy that the tests start).
   */
  public void awaitListening(int port, Duration timeout) {
    try {
      Waits.until(name + " listening on " + port + " (log " + log + ")", timeout, Duration.ofMillis(20), () -> {
        if (!isAlive()) {
          throw new HarnessException(name + " exited (see " + log + ")");
        }
        try (java.net.Socket s = new java.net.Socket()) {
          s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
          return Optional.of(true);
        } catch (java.io.IOException e) {
          return Optional.empty();
        }
      });
    } catch (RuntimeException e) {
      kill();
      throw e;
    }
  }

  public boolean awaitExit(Duration timeout) {
    Process p = process;
    if (p == null) {
      return true;
    }
    try {
      return p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  @Override
  public String toString() {
    return name + (process == null ? " (not started)" : " pid " + process.pid() + (isAlive() ? "" : " (exited)"));
  }
}
