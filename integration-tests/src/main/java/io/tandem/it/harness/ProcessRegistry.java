package io.tandem.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts every child process of this JVM and can kill them all.
 *
 * <p>All processes are started from ONE long-lived thread and, when {@code setpriv} exists, with
 * {@code setpriv --pdeathsig KILL}, so they die even when this JVM is SIGKILLed (the parent-death
 * signal is tied to the thread that started the child: see NODE-RED-NOTES.md). A shutdown hook kills
 * every tree still alive on a normal exit or Ctrl-C.
 */
public final class ProcessRegistry {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();
  private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tandem-it-launcher");
    t.setDaemon(true);
    return t;
  });

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll, "tandem-it-cleanup"));
  }

  private ProcessRegistry() {}

  /** Starts {@code pb} (with a parent-death signal when possible) and remembers it. */
  public static Process start(ProcessBuilder pb) {
    if (Files.isExecutable(SETPRIV)) {
      List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL"));
      cmd.addAll(pb.command());
      pb.command(cmd);
    }
    Future<Process> f = LAUNCHER.submit(pb::start);
    try {
      Process p = f.get(30, TimeUnit.SECONDS);
      LIVE.add(p.toHandle());
      p.onExit().thenRun(() -> LIVE.remove(p.toHandle()));
      return p;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new HarnessException("cannot start " + pb.command() + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new HarnessException("starting " + pb.command() + " took more than 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted while starting " + pb.command(), e);
    }
  }

  /** SIGKILLs a process and all its descendants, then waits (bounded) until they are gone. */
  public static void killTree(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(0, root);
    all.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (ProcessHandle h : all) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        Waits.sleep(java.time.Duration.ofMillis(5));
      }
    }
  }

  /** Sends a signal (e.g. "STOP", "CONT", "KILL") to one process with the kill(1) command. */
  public static void signal(long pid, String signal) {
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new HarnessException("kill -" + signal + " " + pid + " did not return within 5 s");
      }
      if (p.exitValue() != 0) {
        throw new HarnessException("kill -" + signal + " " + pid + " failed: "
            + new String(p.getInputStream().readAllBytes()).strip());
      }
    } catch (IOException e) {
      throw new HarnessException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted", e);
    }
  }

  /** Kills every process tree this JVM started that is still alive. */
  public static void killAll() {
    for (ProcessHandle h : List.copyOf(LIVE)) {
      // A stopped process cannot die until continued for some signals; SIGKILL works regardless.
      killTree(h);
    }
  }
}
