package io.tandem.agent.nodered;

import io.tandem.proto.agent.RuntimeState;
import java.util.Objects;

/**
 * A snapshot of what the agent knows about its Node-RED runtime; cheap, no I/O.
 *
 * @param state      DOWN, STARTING, STANDBY (loaded, flows stopped), RUNNING (flows started) or HUNG
 * @param pid        the Node-RED process id, -1 if none or in attach mode
 * @param generation increments at every (re)launch, so a new process can be told from the old one
 * @param detail     human text for logs and /status, e.g. "exited with code 137"
 */
public record RuntimeStatus(RuntimeState state, long pid, long generation, String detail) {

  public RuntimeStatus {
    Objects.requireNonNull(state, "state");
    detail = detail == null ? "" : detail;
  }

  @Override
  public String toString() {
    return state + " (pid " + pid + ", generation " + generation + (detail.isEmpty() ? "" : ", " + detail) + ")";
  }
}
