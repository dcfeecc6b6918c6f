package io.tandem.coordinator.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Processes started by a test, killed (with all their descendants) on {@link #close()} and by a
 * JVM shutdown hook if the test JVM itself is ended. Finds the repository's bin scripts and makes
 * them run the jar of the current build folder.
 */
final class ProcessFixture implements AutoCloseable {
  private final List<Process> started = new ArrayList<>();
  private final Thread hook = new Thread(this::killAll, "kill-test-processes");
  private final Path bin;

  ProcessFixture(Path work) throws IOException {
    this.bin = binFor(work);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  Path script(String name) {
    return bin.resolve(name);
  }

  /**
   * The repo's bin folder if this build writes to coordinator/target (what the scripts run);
   * otherwise (a build with -Dtandem.target=...) copies of the scripts in a mirror whose
   * coordinator/target links to this build's folder (and cli/target to the cli module's folder of
   * the same name), so the scripts run what was just built.
   */
  private static Path binFor(Path work) throws IOException {
    Path root = repoRoot();
    Path buildDir = Path.of(System.getProperty("tandem.build.dir", root.resolve("coordinator/target").toString()));
    if (buildDir.toRealPath().equals(root.resolve("coordinator/target").toAbsolutePath().normalize())) {
      return root.resolve("bin");
    }
    Path mirror = work.resolve("mirror");
    Files.createDirectories(mirror.resolve("bin"));
    Files.createDirectories(mirror.resolve("coordinator"));
    Files.createSymbolicLink(mirror.resolve("coordinator/target"), buildDir.toRealPath());
    // tandemctl runs the cli module's build of the same name (cli/target-x), with the CDS helper
    Files.createDirectories(mirror.resolve("cli"));
    Files.createSymbolicLink(mirror.resolve("cli/target"), root.resolve("cli").resolve(buildDir.getFileName()));
    Files.createDirectories(mirror.resolve("dist/src/bin"));
    for (String sourced : List.of("java-compat.sh", "cds.sh", "tandemctl-cds.sh")) {
      Files.copy(root.resolve("dist/src/bin").resolve(sourced), mirror.resolve("dist/src/bin").resolve(sourced));
    }
    for (String s : List.of("tandem-coordinator", "tandemctl")) {
      Path copy = mirror.resolve("bin").resolve(s);
      Files.copy(root.resolve("bin").resolve(s), copy, StandardCopyOption.COPY_ATTRIBUTES);
    }
    return mirror.resolve("bin");
  }

  static Path repoRoot() {
    String prop = System.getProperty("tandem.repo.root");
    if (prop != null && Files.isRegularFile(Path.of(prop, "bin/tandem-coordinator"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/tandem-coordinator"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (bin/tandem-coordinator)");
  }

  /** Starts a long-running process; its stdout and stderr go to {@code log}. */
  Process start(Path log, String... command) throws IOException {
    return start(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
  }

  /** Starts a long-running process as {@code pb} says; killed on close. */
  synchronized Process start(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** Runs a command to its end (bounded); output captured. */
  Result run(Path work, long timeoutSeconds, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "out-", ".txt");
    Path err = Files.createTempFile(work, "err-", ".txt");
    Process p;
    synchronized (this) {
      p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      started.add(p);
    }
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        kill(p);
        throw new AssertionError(String.join(" ", command) + " did not end within " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      synchronized (this) {
        started.remove(p);
      }
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** SIGKILL the process and everything it started. */
  static void kill(Process p) {
    ProcessHandle h = p.toHandle();
    List<ProcessHandle> children = h.descendants().toList();
    h.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      h.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // reported by the caller's assertions if it matters
    }
  }

  private synchronized void killAll() {
    started.forEach(ProcessFixture::kill);
    started.clear();
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
