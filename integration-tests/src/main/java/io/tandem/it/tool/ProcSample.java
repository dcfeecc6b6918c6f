package io.tandem.it.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a Linux process from /proc: CPU time used so far (utime + stime, in clock ticks),
 * resident set size and thread count.
 */
record ProcSample(long cpuTicks, long rssKb, int threads) {

  /** Reads /proc/PID/stat and /proc/PID/status. */
  static ProcSample read(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    return new ProcSample(cpuTicks(Files.readString(dir.resolve("stat"))),
        statusKb(Files.readString(dir.resolve("status")), "VmRSS"),
        (int) statusKb(Files.readString(dir.resolve("status")), "Threads"));
  }

  /** utime + stime of a /proc/PID/stat line (fields 14 and 15; the name in parentheses may hold spaces). */
  static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    // f[0] is field 3 (state): utime (field 14) is f[11], stime (field 15) f[12]
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
