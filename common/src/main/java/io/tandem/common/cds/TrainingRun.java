package io.tandem.common.cds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The frame of a server's class-data training run (dist/src/bin/cds.sh): a temporary folder for
 * the run, removed afterwards, and the server's pid (the run's first argument, optional) watched so
 * that the run ends at once, without an archive, when that server ends: a training never outlives
 * the server whose launcher started it.
 */
public final class TrainingRun {
  /** The training itself, in {@code dir}; true when it did what it should (an archive is kept). */
  @FunctionalInterface
  public interface Body {
    boolean train(Path dir) throws Exception;
  }

  /** Exit code of a run that ended because its server ended (the launcher keeps no archive then). */
  public static final int SERVER_GONE = 3;

  private TrainingRun() {}

  /** Runs {@code body}; returns the exit code: 0 when it succeeded, else 1. */
  public static int run(String[] args, String tempPrefix, Body body) throws Exception {
    if (args.length > 0) {
      ProcessHandle.of(Long.parseLong(args[0])).ifPresentOrElse(
          server -> server.onExit().thenRun(() -> Runtime.getRuntime().halt(SERVER_GONE)),
          () -> Runtime.getRuntime().halt(SERVER_GONE));
    }
    Path dir = Files.createTempDirectory(tempPrefix);
    try {
      return body.train(dir) ? 0 : 1;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
