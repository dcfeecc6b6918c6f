package io.tandem.agent.nodered;

import io.tandem.proto.agent.RuntimeState;

/**
 * A Node-RED that someone else runs: the agent only probes it and drives its flows. It cannot kill
 * it, so a hung or orphaned runtime may keep running flows: a weaker guarantee than launch mode.
 */
final class AttachedRuntime extends ProbedRuntime {
  private final NodeRedAdminClient client;
  private boolean started;

  AttachedRuntime(NodeRedSettings settings, String token) {
    super(settings, settings.baseUrl().getAuthority());
    this.client = new NodeRedAdminClient(settings.baseUrl(), token, NodeRedAdminClient.TOKEN_HEADER,
        AdminTls.httpClient(settings.adminCa()));
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (started || closed) {
        return;
      }
      started = true;
      generation = 1;
      set(RuntimeState.RUNTIME_STARTING, -1, "waiting for the first answer");
    }
    log.warn("Attach mode: the agent did not start Node-RED at {} and cannot kill it. If it hangs, or if this "
        + "agent dies, its flows may keep running: a weaker guarantee than launch mode, where Node-RED dies "
        + "with the agent and a hung runtime is killed.", settings.baseUrl());
    startProbing();
  }

  @Override
  protected NodeRedAdminClient probeTarget() {
    return client;
  }

  @Override
  protected void bootMiss(Throwable cause) {
    if (state == RuntimeState.RUNTIME_STARTING && isConnectFailure(cause)) {
      log.warn("Node-RED at {} is not reachable: {}", settings.baseUrl(), describe(cause));
      set(RuntimeState.RUNTIME_DOWN, -1, "not reachable: " + describe(cause));
    }
  }

  @Override
  protected boolean connectionLost(Throwable cause) {
    log.warn("Node-RED at {} is not reachable any more: {}", settings.baseUrl(), describe(cause));
    set(RuntimeState.RUNTIME_DOWN, -1, "not reachable: " + describe(cause));
    return true;
  }

  @Override
  protected void readingWhileDown() {
    generation++;
    log.info("Node-RED at {} answers (generation {})", settings.baseUrl(), generation);
    set(RuntimeState.RUNTIME_STARTING, -1, "answers again");
  }

  @Override
  protected void onReady(boolean flowsRunning, String detail) {
    log.info("Node-RED at {} is ready: {}", settings.baseUrl(), detail);
  }

  @Override
  protected NodeRedAdminClient controlTarget() {
    return state == RuntimeState.RUNTIME_DOWN ? null : client;
  }

  @Override
  public boolean canKill() {
    return false;
  }

  @Override
  public boolean kill(String reason) {
    log.warn("Cannot kill Node-RED at {} ({}): attach mode, the agent did not start it", settings.baseUrl(), reason);
    return false;
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopProbing();
    events.shutdown();
  }
}
