package io.tandem.agent;

import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedInstalls;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.RestartRequest;
import io.tandem.proto.agent.RuntimeState;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts of the local Node-RED that the leader relays from an admin (tandemctl restart), once per
 * request id: refused while this instance runs the group's flows, in attach mode, or for a
 * Node-RED version this host has no install of; otherwise the runtime is stopped gracefully and
 * launched again as a spare (on the requested install). The heartbeat reports the request
 * handled only once the relaunched runtime is a loaded standby, so the leader's "ready" that
 * follows is the new runtime's.
 */
final class RuntimeRestarts {
  private static final Logger log = LoggerFactory.getLogger(RuntimeRestarts.class);

  private final NodeRedRuntime runtime;
  private final NodeRedInstalls installs;
  // guarded by this
  private String handledId = "";
  private String refusal = "";
  private String pendingId = "";
  private long pendingGeneration;
  private String pendingVersion = "";
  private String version;

  RuntimeRestarts(NodeRedRuntime runtime, NodeRedInstalls installs) {
    this.runtime = runtime;
    this.installs = installs;
    this.version = NodeRedInstalls.versionOf(runtime.command()).orElse("");
  }

  /** A heartbeat answer carried {@code r}; {@code s} is what the control loop knows now. */
  synchronized void onRequest(RestartRequest r, AgentSnapshot s) {
    if (r.getId().isEmpty() || r.getId().equals(handledId) || r.getId().equals(pendingId)) {
      return; // relayed again until the leader sees it handled
    }
    String want = r.getNodeRedVersion();
    Optional<String> no = refusal(want, s);
    List<String> command = null;
    String next = version;
    if (no.isEmpty() && !want.isEmpty()) {
      StringBuilder why = new StringBuilder();
      Optional<NodeRedInstalls.Install> install = installs.find(want, why);
      if (install.isEmpty()) {
        no = Optional.of(why.toString());
      } else {
        command = NodeRedInstalls.commandFor(runtime.command(), install.get());
        next = want;
      }
    }
    long generation = runtime.status().generation();
    if (no.isEmpty()) {
      String r2 = runtime.restart(command, "restart requested by an admin (request " + r.getId() + ")");
      no = r2.isEmpty() ? Optional.empty() : Optional.of(r2);
    }
    if (no.isPresent()) {
      log.warn("restart request {} refused: {}", r.getId(), no.get());
      handledId = r.getId();
      refusal = no.get();
      pendingId = "";
      return;
    }
    log.info("restart request {}: restarting Node-RED{}", r.getId(),
        want.isEmpty() ? "" : " on version " + want + " (" + String.join(" ", command) + ")");
    pendingId = r.getId();
    pendingGeneration = generation;
    pendingVersion = next;
  }

  private Optional<String> refusal(String want, AgentSnapshot s) {
    if (!runtime.canKill()) {
      return Optional.of("attach mode: this agent did not start Node-RED, so it cannot restart it");
    }
    if (s.token() > 0 || s.flowsActive()) {
      return Optional.of("this instance runs the group's flows (token " + s.token() + "); switch over first");
    }
    if (s.committedActive().equals(s.instance())) {
      return Optional.of("this instance is the group's committed active (token " + s.committedToken()
          + "); switch over first");
    }
    if (!want.isEmpty() && installs.isEmpty()) {
      return Optional.of("this host has no Node-RED " + want + " install (nodeRed.installs is not configured"
          + " in the agent's config)");
    }
    return Optional.empty();
  }

  /** Adds the restart report to a heartbeat built from runtime status {@code st}. */
  synchronized void fill(HeartbeatRequest.Builder b, RuntimeStatus st) {
    if (!pendingId.isEmpty() && st.generation() > pendingGeneration
        && st.state() == RuntimeState.RUNTIME_STANDBY) {
      log.info("restart request {} done: Node-RED {} is a spare again (pid {}, generation {})", pendingId,
          pendingVersion.isEmpty() ? "" : pendingVersion, st.pid(), st.generation());
      handledId = pendingId;
      refusal = "";
      version = pendingVersion;
      pendingId = "";
    }
    b.setRestartId(handledId).setRestartRefusal(refusal).setNodeRedVersion(version)
        .setRuntimePid(Math.max(0, st.pid()));
  }
}
