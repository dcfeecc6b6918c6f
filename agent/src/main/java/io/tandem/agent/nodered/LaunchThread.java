package io.tandem.agent.nodered;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one thread that starts every Node-RED process of this JVM. A parent-death signal set with
 * setpriv is tied to the thread that forked the child, not to the process: a child started from a
 * thread that later ends is killed when that thread ends. This thread lives as long as the JVM.
 */
final class LaunchThread {
  private static final LaunchThread INSTANCE = new LaunchThread();

  private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

  private LaunchThread() {
    Thread t = new Thread(this::loop, "tandem-nodered-launcher");
    t.setDaemon(true);
    t.start();
  }

  /** Starts the process on the launcher thread and returns it. */
  static Process start(ProcessBuilder builder) throws IOException {
    CompletableFuture<Process> started = new CompletableFuture<>();
    INSTANCE.tasks.add(() -> {
      try {
        started.complete(builder.start());
      } catch (Throwable e) {
        started.completeExceptionally(e);
      }
    });
    try {
      return started.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // the task may still start the process: kill it when it does
      started.thenAccept(ProcessTree::killForcibly);
      throw new IOException("interrupted while starting Node-RED", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException("cannot start Node-RED: " + cause, cause);
    }
  }

  private void loop() {
    while (true) {
      try {
        tasks.take().run();
      } catch (InterruptedException e) {
        // never end: children started here would get their parent-death signal
        Thread.interrupted();
      } catch (Throwable e) {
        // run() completes its future exceptionally; nothing reaches here in practice
      }
    }
  }
}
