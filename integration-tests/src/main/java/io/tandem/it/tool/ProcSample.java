package io.tandem.it.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of a process's CPU time and resident memory from Linux's /proc: {@code utime +
 * stime} of /proc/PID/stat (clock ticks of USER_HZ = 100) and {@code VmRSS} of /proc/PID/status.
 *
 * @param nanos   System.nanoTime() of the reading
 * @param cpuTicks user + system CPU time so far, in ticks of 10 ms
 * @param rssKb   resident set size in kB
 */
record ProcSample(long nanos, long cpuTicks, long rssKb) {
  static final int TICKS_PER_SECOND = 100;

  /** The reading of process {@code pid}; empty if it is gone or /proc cannot be read. */
  static Optional<ProcSample> of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      return Optional.of(new ProcSample(System.nanoTime(), cpuTicks(stat), rssKb(status)));
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
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    return 0;
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
}
