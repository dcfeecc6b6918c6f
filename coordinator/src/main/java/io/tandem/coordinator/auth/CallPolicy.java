package io.tandem.coordinator.auth;

import io.tandem.common.tls.Identity;
import io.tandem.common.tls.Role;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call which gRPC method (DESIGN.md "Who may do what"). Pure: a full method name and an
 * identity in, a refusal sentence or nothing out.
 *
 * <ul>
 *   <li>admin: every AdminService and AgentService method;
 *   <li>viewer: the AdminService reads ({@link #VIEWER_READS});
 *   <li>agent: AgentService only, and every request must name its own group and instance
 *       ({@link #checkAgentRequest});
 *   <li>peer: nothing here (Raft traffic only, on the Raft port).
 * </ul>
 */
public final class CallPolicy {
  public static final String ADMIN_SERVICE = "tandem.admin.AdminService";
  public static final String AGENT_SERVICE = "tandem.agent.AgentService";
  /** AdminService methods that change nothing. */
  public static final Set<String> VIEWER_READS = Set.of("ClusterStatus", "ListGroups", "GetGroup",
      "History", "Watch", "FlowsHistory", "ExportFlows", "ListContext", "RequestOutcome");

  private CallPolicy() {}

  /** The sentence of a refusal, or empty if {@code who} may call {@code fullMethod} at all. */
  public static Optional<String> refusal(Identity who, String fullMethod) {
    String service = service(fullMethod);
    String method = fullMethod.substring(fullMethod.indexOf('/') + 1);
    return switch (who.role()) {
      case ADMIN -> Optional.empty();
      case VIEWER -> service.equals(ADMIN_SERVICE) && VIEWER_READS.contains(method) ? Optional.empty()
          : Optional.of(who + " is a viewer and may not call " + fullMethod + " (viewers may only read: "
              + String.join(", ", VIEWER_READS.stream().sorted().toList()) + ")");
      case AGENT -> service.equals(AGENT_SERVICE) ? Optional.empty()
          : Optional.of(who + " is an agent and may not call " + fullMethod
              + " (agents may only call AgentService for their own group and instance)");
      case PEER -> Optional.of(who + " is a coordinator peer certificate, for Raft traffic only; it may not call "
          + fullMethod);
    };
  }

  /**
   * For an agent's AgentService request: a refusal unless its {@code group} and {@code instance}
   * are the agent's own.
   */
  public static Optional<String> checkAgentRequest(Identity who, String fullMethod, String group, String instance) {
    if (who.role() != Role.AGENT) {
      return Optional.empty();
    }
    if (group == null || instance == null) {
      return Optional.of(who + " may not call " + fullMethod + ": the request names no group and instance");
    }
    if (!group.equals(who.group()) || !instance.equals(who.instance())) {
      return Optional.of(who + " may not call " + fullMethod + " for group \"" + group + "\" instance \""
          + instance + "\": an agent speaks only for its own group and instance");
    }
    return Optional.empty();
  }

  static String service(String fullMethod) {
    int slash = fullMethod.indexOf('/');
    return slash < 0 ? fullMethod : fullMethod.substring(0, slash);
  }
}
