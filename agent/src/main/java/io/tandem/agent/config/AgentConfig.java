package io.tandem.agent.config;

import io.tandem.common.config.HostPort;
import io.tandem.agent.http.BearerToken;
import io.tandem.common.tls.TlsSettings;
import io.tandem.agent.nodered.NodeRedSettings;
import java.util.List;
import java.util.Objects;

/**
 * Everything one agent needs: which group and instance it is, where the coordinators are, how it
 * keeps its lease, how it runs Node-RED, and its local HTTP API. Loaded by {@link AgentConfigLoader}.
 *
 * @param group        the group this instance belongs to
 * @param instance     this instance's id in the group
 * @param host         informational: where this agent runs (sent in heartbeats)
 * @param coordinators gRPC addresses (host:port) of the coordinators: the seeds; while {@code
 *     learnCoordinators}, the agent also calls the coordinators the leader reports in its heartbeat
 *     answers (the cluster's current members, e.g. one added by tandemctl members add)
 * @param http         listen address of the local HTTP API (/health, /active, /status, /metrics)
 * @param lease        lease handling
 * @param nodeRed      how Node-RED is run and probed
 * @param hooks        commands run on activation / deactivation
 * @param httpToken    the bearer token /status and /metrics require ({@link BearerToken#NONE}: open)
 * @param learnCoordinators whether to learn coordinators from the cluster (YAML {@code
 *     learnCoordinators}, default true; false when this agent reaches the coordinators only through
 *     proxies or NAT, whose addresses the cluster does not know)
 * @param context      the Tandem context store
 * @param tls          mutual TLS files of the channels to the coordinators, or plaintext
 */
public record AgentConfig(
    String group,
    String instance,
    String host,
    List<String> coordinators,
    HostPort http,
    LeaseSettings lease,
    NodeRedSettings nodeRed,
    HookSettings hooks,
    BearerToken httpToken,
    boolean learnCoordinators,
    ContextSettings context,
    TlsSettings tls) {
  public static final HostPort DEFAULT_HTTP = new HostPort("127.0.0.1", 7401);


  public AgentConfig {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(instance, "instance");
    host = host == null ? "" : host;
    coordinators = List.copyOf(coordinators);
    http = http == null ? DEFAULT_HTTP : http;
    lease = lease == null ? LeaseSettings.defaults() : lease;
    Objects.requireNonNull(nodeRed, "nodeRed");
    hooks = hooks == null ? HookSettings.none() : hooks;
    httpToken = httpToken == null ? BearerToken.NONE : httpToken;
    context = context == null ? ContextSettings.defaults() : context;
    tls = tls == null ? TlsSettings.plaintext() : tls;
  }

  // The constructors below are for configs built in code (tests): plaintext to the coordinators
  // (a YAML file must say tls), no token on the local API, learning the coordinators, unless given.

  /** Without a token on the local API (/status and /metrics open), learning the coordinators. */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, BearerToken.NONE, true, null, null);
  }

  /** With a token on the local API, learning the coordinators from the cluster (the default). */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks, BearerToken httpToken) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, httpToken, true, null, null);
  }

  /** Without a token on the local API; learnCoordinators as given. */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks, boolean learnCoordinators) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, BearerToken.NONE, learnCoordinators, null, null);
  }

  /** With the context settings given; no token on the local API, learning the coordinators. */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks, ContextSettings context) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, BearerToken.NONE, true, context, null);
  }

  /** Everything but TLS, which is plaintext (tests that build configs in code). */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks, BearerToken httpToken,
      boolean learnCoordinators, ContextSettings context) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, httpToken, learnCoordinators, context,
        null);
  }

  /** With the TLS settings given; the defaults for the rest. */
  public AgentConfig(String group, String instance, String host, List<String> coordinators, HostPort http,
      LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks, TlsSettings tls) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, BearerToken.NONE, true, null, tls);
  }

  public AgentConfig withTls(TlsSettings settings) {
    return new AgentConfig(group, instance, host, coordinators, http, lease, nodeRed, hooks, httpToken,
        learnCoordinators, context, settings);
  }
}
