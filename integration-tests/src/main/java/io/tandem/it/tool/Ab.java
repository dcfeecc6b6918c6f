package io.tandem.it.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ApacheBench (apache2-utils) as the benchmark's client: {@code ab -r -c C -t T} against one URL. */
final class Ab {
  private final Process process;
  private final Path out;

  private Ab(Process process, Path out) {
    this.process = process;
    this.out = out;
  }

  /**
   * Starts {@code ab -r -c concurrency -t seconds} against {@code url}; -n after -t lifts the 50,000
   * requests that -t implies, so the run lasts the whole time.
   */
  static Ab start(String url, int concurrency, int seconds, Path out) throws IOException {
    List<String> cmd = List.of("ab", "-r", "-q", "-c", String.valueOf(concurrency), "-t", String.valueOf(seconds),
        "-n", "100000000", "-s", "30", url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return new Ab(p, out);
  }

  AbResult await(int seconds) throws IOException, InterruptedException {
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("ab did not finish within " + (seconds + 60) + " s (output " + out + ")");
    }
    String text = Files.readString(out);
    AbResult r = AbResult.parse(text);
    if (r.complete() < 0 || r.p50() < 0) {
      throw new IOException("ab exited " + process.exitValue() + " without a report:\n" + text);
    }
    return r;
  }

  /** True if ab is on the PATH. */
  static boolean installed() {
    return io.tandem.it.harness.Executables.find(null, "ab").isPresent();
  }
}
