package io.tandem.agent.config;

import io.tandem.common.config.HostPort;
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
 * @param coordinators gRPC addresses (host:port) of the coordinators
 * @param http         listen address of the local HTTP API (/health, /active, /status, /metrics)
 * @param lease        lease handling
 * @param nodeRed      how Node-RED is run and probed
 * @param hooks        commands run on activation / deactivation
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
    TlsSettings tls) {
  public static final HostPort DEFAULT_HTTP = new HostPort("127.0.0.1", 7401);

  /** Plaintext to the coordinators (tests that build configs in code; YAML must say tls). */
  public AgentConfig(String group, String instance, String host, List<String> coordinators,
      HostPort http, LeaseSettings lease, NodeRedSettings nodeRed, HookSettings hooks) {
    this(group, instance, host, coordinators, http, lease, nodeRed, hooks, TlsSettings.plaintext());
  }

  public AgentConfig {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(instance, "instance");
    host = host == null ? "" : host;
    coordinators = List.copyOf(coordinators);
    http = http == null ? DEFAULT_HTTP : http;
    lease = lease == null ? LeaseSettings.defaults() : lease;
    Objects.requireNonNull(nodeRed, "nodeRed");
    hooks = hooks == null ? HookSettings.none() : hooks;
    tls = tls == null ? TlsSettings.plaintext() : tls;
  }
}
