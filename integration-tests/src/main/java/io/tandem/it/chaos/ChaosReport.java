package io.tandem.it.chaos;

import io.tandem.it.fault.FaultKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run found.
 *
 * @param seed        the nemesis seed (replay with {@code --seed})
 * @param injected    faults actually injected, by kind
 * @param notInjected planned faults that could not be injected (e.g. no leader known at the time)
 * @param activations distinct (instance, token) pairs the witness accepted
 * @param findings    violated properties; empty when the run is safe
 * @param workDir     configs, logs and the witness log of the run
 * @param notes       what this run left out and why (e.g. no clock faults without libfaketime)
 * @param clockFaults whether clock drift was injected
 * @param deploysTried     deploys attempted through the active's editor during the faults
 * @param deploysCommitted revisions those deploys committed (kept in the group's history)
 */
public record ChaosReport(long seed, Map<FaultKind, Integer> injected, int notInjected, int activations,
    List<Finding> findings, Path workDir, List<String> notes, boolean clockFaults, int deploysTried,
    int deploysCommitted) {

  public int faults() {
    return injected.values().stream().mapToInt(Integer::intValue).sum();
  }

  public boolean ok() {
    return findings.isEmpty();
  }

  /** The report for people, ending with {@link #summary()}. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("faults injected by kind:");
    injected.forEach((k, n) -> out.add(String.format("  %-20s %4d  %s", k, n, k.description())));
    if (notInjected > 0) {
      out.add("  (" + notInjected + " planned faults could not be injected; see the log)");
    }
    out.add("activations: " + activations);
    out.add("deploys: " + deploysCommitted + " committed of " + deploysTried + " tried during the faults");
    out.add("violations: " + findings.size() + (findings.isEmpty() ? "" : " (seed " + seed + ", logs in " + workDir + ")"));
    findings.forEach(f -> out.add("  " + f));
    out.addAll(notes);
    out.add(summary());
    return out;
  }

  /** The last line, for scripts. */
  public String summary() {
    return "summary faults=" + faults() + " activations=" + activations + " violations=" + findings.size()
        + " seed=" + seed + (clockFaults ? "" : " clock-faults=off");
  }
}
