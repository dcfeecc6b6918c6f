package io.tandem.it.fault;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a process with a clock that goes faster or slower than real time, by preloading
 * libfaketime (Debian/Ubuntu package {@code faketime}). With {@code FAKETIME="+0 x<rate>"} and
 * {@code FAKETIME_DONT_FAKE_MONOTONIC=0}, libfaketime scales both the wall clock and
 * CLOCK_MONOTONIC from the moment the process starts, and also the timed waits: a JVM's
 * {@code System.nanoTime()} and {@code Thread.sleep}, and Node's {@code process.hrtime} and
 * timers, all run at {@code rate}. Children inherit the environment, so a Node-RED launched by
 * an agent under a clock fault runs at the same rate.
 *
 * <p>Tandem's safety argument assumes that two hosts' monotonic clocks differ in rate by at most
 * {@code driftBound} (default 1%); faults inside that bound must never break safety.
 */
public record ClockFault(double rate) {
  /** Where Debian-like systems install the thread-safe variant of the library. */
  private static final List<String> KNOWN_LIBRARIES =
      List.of(
          "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
          "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
          "/usr/lib/faketime/libfaketimeMT.so.1",
          "/usr/lib64/faketime/libfaketimeMT.so.1",
          "/usr/local/lib/faketime/libfaketimeMT.so.1");

  public ClockFault {
    if (!(rate >= 0.1 && rate <= 10)) {
      throw new IllegalArgumentException("clock rate " + rate + " is outside 0.1..10");
    }
  }

  /** The libfaketime library: system property or env {@code tandem.faketime.lib}, else known paths. */
  public static Path library() {
    return library(configured(), KNOWN_LIBRARIES);
  }

  static Path library(String configured, List<String> candidates) {
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      if (!Files.isReadable(p)) {
        throw new IllegalStateException("libfaketime not found at " + p + " (tandem.faketime.lib):"
            + " install it with `sudo apt-get install faketime` or fix the path");
      }
      return p;
    }
    for (String candidate : candidates) {
      Path p = Path.of(candidate);
      if (Files.isReadable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "libfaketime is not installed (looked in " + String.join(", ", candidates) + "): run "
            + "`sudo apt-get install faketime`, or set -Dtandem.faketime.lib=/path/libfaketimeMT.so.1");
  }

  public static boolean available() {
    return unavailable().isEmpty();
  }

  /** Why clock faults cannot run on this machine, as one line with the fix; empty if they can. */
  public static Optional<String> unavailable() {
    return unavailable(configured(), KNOWN_LIBRARIES);
  }

  static Optional<String> unavailable(String configured, List<String> candidates) {
    try {
      library(configured, candidates);
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static String configured() {
    return System.getProperty("tandem.faketime.lib", System.getenv("TANDEM_FAKETIME_LIB"));
  }

  /** {@code "+0 x1.005"}: no offset, time runs at {@code rate} from process start. */
  public String spec() {
    return "+0 x" + BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
  }

  /** The variables to add to a process's environment. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LD_PRELOAD", library().toString());
    env.put("FAKETIME", spec());
    env.put("FAKETIME_DONT_FAKE_MONOTONIC", "0");
    return env;
  }

  /** Adds the variables to {@code pb} (keeping an existing LD_PRELOAD after ours). */
  public ProcessBuilder applyTo(ProcessBuilder pb) {
    Map<String, String> env = environment();
    String existing = pb.environment().get("LD_PRELOAD");
    if (existing != null && !existing.isBlank()) {
      env.put("LD_PRELOAD", env.get("LD_PRELOAD") + ":" + existing);
    }
    pb.environment().putAll(env);
    return pb;
  }

  /** {@code env LD_PRELOAD=... FAKETIME=... <command>}, for launchers that take a command line. */
  public List<String> wrap(List<String> command) {
    List<String> out = new ArrayList<>();
    out.add("env");
    environment().forEach((k, v) -> out.add(k + "=" + v));
    out.addAll(command);
    return out;
  }

  @Override
  public String toString() {
    return "clock x" + BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
  }
}
