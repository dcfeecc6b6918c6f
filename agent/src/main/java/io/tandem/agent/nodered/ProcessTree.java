package io.tandem.agent.nodered;

import java.util.List;

/** SIGKILL of a process and everything it started. */
final class ProcessTree {
  private ProcessTree() {}

  /** Kills the process and its descendants (collected first, since they are re-parented once it dies). */
  static void killForcibly(Process process) {
    if (process != null) {
      killForcibly(process.toHandle());
    }
  }

  static void killForcibly(ProcessHandle handle) {
    List<ProcessHandle> descendants = handle.descendants().toList();
    handle.destroyForcibly();
    for (ProcessHandle d : descendants) {
      d.destroyForcibly();
    }
  }
}
