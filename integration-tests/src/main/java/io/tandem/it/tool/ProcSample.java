package io.tandem.it.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of a Linux process from /proc: CPU time used so far ({@code utime + stime} of
 * /proc/PID/stat, in clock ticks of USER_HZ = 100), resident set size ({@code VmRSS}) and thread
 * count ({@code Threads}) of /proc/PID/status.
 *
 * @param nanos    System.nanoTime() of the reading
 * @param cpuTicks user + system CPU time so far, in ticks of 10 ms
 * @param rssKb    resident set size in kB
 * @param threads  the process's threads (-1 unknown)
 */
record ProcSample(long nanos, long cpuTicks, long rssKb, int threads) {
  static final int TICKS_PER_SECOND = 100;

  /** Reads /proc/PID/stat and /proc/PID/status. */
  static ProcSample read(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    String stat = Files.readString(dir.resolve("stat"));
    String status = Files.readString(dir.resolve("status"));
    return new ProcSample(System.nanoTime(), cpuTicks(stat), Math.max(0, statusKb(status, "VmRSS")),
        (int) statusKb(status, "Threads"));
  }

  /** The reading of process {@code pid}; empty if it is gone or /proc cannot be read. */
  static Optional<ProcSample> of(long pid) {
    try {
      return Optional.of(read(pid));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** utime + stime: fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name. */
  static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** VmRSS of /proc/PID/status in kB; 0 if absent (a zombie). */
  static long rssKb(String status) {
    return Math.max(0, statusKb(status, "VmRSS"));
  }

  /** The number of a "Name:   123 kB" line of /proc/PID/status; -1 when absent. */
  static long statusKb(String status, String name) {
    for (String line : status.split("\n")) {
      if (line.startsWith(name + ":")) {
        return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /** The share of one core used between {@code earlier} and this reading (0.25 = 25% of a core). */
  double coreShareSince(ProcSample earlier) {
    double seconds = (nanos - earlier.nanos) / 1e9;
    return seconds <= 0 ? 0 : (cpuTicks - earlier.cpuTicks) / (double) TICKS_PER_SECOND / seconds;
  }

  /** CPU microseconds used between {@code earlier} and this reading. */
  long cpuMicrosSince(ProcSample earlier) {
    return (cpuTicks - earlier.cpuTicks) * (1_000_000L / TICKS_PER_SECOND);
  }

  /** Share of one core used between two readings {@code seconds} apart, in percent. */
  static double cpuPercent(ProcSample from, ProcSample to, double seconds, long ticksPerSecond) {
    return 100.0 * (to.cpuTicks - from.cpuTicks) / ticksPerSecond / seconds;
  }

  /** The kernel's clock ticks per second (getconf CLK_TCK; 100 on every Linux this runs on). */
  static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
