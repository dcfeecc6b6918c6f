package io.tandem.agent.nodered;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** One Node-RED runtime, launched and supervised by the agent (LAUNCH) or only probed (ATTACH). */
public interface NodeRedRuntime extends AutoCloseable {

  /**
   * LAUNCH: prepare the userDir, spawn with a parent-death signal, supervise (restart as a spare with
   * backoff after an exit). ATTACH: start probing. Returns at once.
   */
  void start();

  RuntimeStatus status();

  /** Called on every state change, on the runtime's own thread; must not block. */
  void addListener(Consumer<RuntimeStatus> listener);

  /** POST /tandem/fence {"token":T}. Throws on refusal (409: lower than the current) or failure/timeout. */
  void setToken(long token, Duration timeout) throws RuntimeControlException;

  /** POST /flows/state {"state":"start"}; returns after the reply (flows running). Status becomes RUNNING. */
  void startFlows(Duration timeout) throws RuntimeControlException;

  /** POST /flows/state {"state":"stop"}; returns after the reply (flows stopped). Status becomes STANDBY. */
  void stopFlows(Duration timeout) throws RuntimeControlException;

  /**
   * SIGKILL the runtime and its descendants now (LAUNCH); the supervisor then restarts it as a spare.
   * Returns false in ATTACH mode (cannot kill), logging a warning.
   */
  boolean kill(String reason);

  /**
   * LAUNCH: the agent's local HTTP address that the Tandem storage plugin calls; set before
   * {@link #start()}, it makes the generated settings load the plugin (no storage plugin without it).
   */
  default void useStoragePlugin(java.net.URI agentUrl) {}

  /**
   * LAUNCH: the generated settings register the Tandem context store (store {@code tandem}, the
   * default store when {@code isDefault}), which calls the agent at {@code agentUrl}. Set before
   * {@link #start()}.
   */
  default void useContextPlugin(java.net.URI agentUrl, boolean isDefault) {}

  /** POST /flows (reload): the runtime reads its flows again from storage; stopped flows stay stopped. */
  void reloadFlows(Duration timeout) throws RuntimeControlException;

  /** The admin API client of the runtime now, or null when there is none to talk to. */
  NodeRedAdminClient adminClient();

  /**
   * LAUNCH: stop this runtime gracefully (SIGTERM; SIGKILL after stopTimeout) and launch it again at
   * once as a spare, with {@code command} (null: the command it runs now) from then on. Only while
   * its flows are stopped. Returns at once: "" when the restart is under way (a new generation
   * follows), else why not. ATTACH: always refused.
   */
  default String restart(java.util.List<String> command, String reason) {
    return "attach mode: this agent did not start Node-RED, so it cannot restart it";
  }

  /** The command line the runtime is (re)launched with (LAUNCH; empty otherwise). */
  default java.util.List<String> command() {
    return java.util.List.of();
  }

  /** True in LAUNCH mode. */
  boolean canKill();

  /**
   * The owner (the agent) shuts this runtime down itself on JVM exit, gracefully (flows stopped,
   * SHUTDOWN reported, then {@link #close()}). The runtime's own kill-on-exit hook, the last
   * resort for embedders that never close it, then waits for {@code ownerDone} (at most
   * {@code wait}) before it kills whatever is still running, instead of racing the owner.
   */
  default void closedOnExitBy(CompletableFuture<?> ownerDone, Duration wait) {}

  /** Kill (LAUNCH) / stop probing (ATTACH); no restart afterwards. Idempotent. */
  @Override
  void close();
}
