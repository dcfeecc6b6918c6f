package io.tandem.coordinator.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Outcome;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one table from refusals and failures to gRPC status codes (etcd's toGRPCErrorMap). Every
 * service answers errors through here, so a code means the same thing everywhere.
 *
 * <table>
 *   <tr><th>cause</th><th>status</th></tr>
 *   <tr><td>Outcome INVALID, IllegalArgumentException</td><td>INVALID_ARGUMENT</td></tr>
 *   <tr><td>Outcome NOT_FOUND</td><td>NOT_FOUND</td></tr>
 *   <tr><td>Outcome ALREADY_EXISTS</td><td>ALREADY_EXISTS</td></tr>
 *   <tr><td>Outcome STALE_TOKEN, IllegalStateException (a concurrent change)</td><td>ABORTED</td></tr>
 *   <tr><td>Outcome FAILED_PRECONDITION</td><td>FAILED_PRECONDITION</td></tr>
 *   <tr><td>NotLeader</td><td>UNAVAILABLE + trailer tandem-leader = leader's gRPC host:port</td></tr>
 *   <tr><td>TimeoutException</td><td>DEADLINE_EXCEEDED</td></tr>
 *   <tr><td>anything else (Raft I/O, shutdown)</td><td>UNAVAILABLE</td></tr>
 * </table>
 *
 * <p>A refused deploy or editor-data write ({@link #flowsRefused}) says more:
 *
 * <table>
 *   <tr><th>cause</th><th>status</th></tr>
 *   <tr><td>the sender is not the active (a standby, or the group has none)</td>
 *       <td>FAILED_PRECONDITION "this instance (a) is the standby; the active is b"</td></tr>
 *   <tr><td>the sender is the active under a newer token than it sent</td><td>ABORTED "stale token: ..."</td></tr>
 *   <tr><td>expected revision is not the current one</td><td>ABORTED "revision conflict: ..."</td></tr>
 * </table>
 */
public final class Errors {
  private static final Map<Outcome, Status> OUTCOMES = new EnumMap<>(Outcome.class);

  static {
    OUTCOMES.put(Outcome.INVALID, Status.INVALID_ARGUMENT);
    OUTCOMES.put(Outcome.NOT_FOUND, Status.NOT_FOUND);
    OUTCOMES.put(Outcome.ALREADY_EXISTS, Status.ALREADY_EXISTS);
    OUTCOMES.put(Outcome.STALE_TOKEN, Status.ABORTED);
    OUTCOMES.put(Outcome.FAILED_PRECONDITION, Status.FAILED_PRECONDITION);
  }

  private final java.util.function.Function<String, Optional<PeerConfig>> members;

  /** Names leaders by the gRPC addresses of the config file's peers. */
  public Errors(CoordinatorConfig config) {
    this(config::peer);
  }

  /** {@code members}: a coordinator by id, with its gRPC address (the running Raft configuration). */
  public Errors(java.util.function.Function<String, Optional<PeerConfig>> members) {
    this.members = members;
  }

  /** A refused command result as a status; the message says what was refused and why. */
  public static StatusRuntimeException outcome(CommandResult result) {
    Status s = OUTCOMES.getOrDefault(result.getOutcome(), Status.INTERNAL);
    String prefix = result.getOutcome() == Outcome.STALE_TOKEN ? "stale token: " : "";
    return s.withDescription(prefix + result.getMessage()).asRuntimeException();
  }

  /**
   * A deploy or editor-data write of {@code instance} under {@code token} on top of {@code
   * expectedRevision} was refused with {@code r} (from the state, or built from the leader's view
   * of the group before proposing), which names the group's active and token: another active
   * means the sender is a standby, another token a stale runtime; with both its own, the
   * revision conflicted, and {@code current} (the record of the result's revision) names who
   * deployed it and when.
   */
  public static StatusRuntimeException flowsRefused(String instance, long token, long expectedRevision,
      CommandResult r, Optional<FlowsRevision> current) {
    return flowsRefused(instance, token, expectedRevision, r, current, false);
  }

  /**
   * As above; {@code allActive}: the group is all-active, where members deploy under the group's
   * token (which never changes) and there is no active, so what differs is the token or the revision.
   */
  public static StatusRuntimeException flowsRefused(String instance, long token, long expectedRevision,
      CommandResult r, Optional<FlowsRevision> current, boolean allActive) {
    if (r.getOutcome() != Outcome.STALE_TOKEN) {
      return outcome(r);
    }
    if (!allActive && r.getActive().isEmpty()) {
      return precondition("this instance (" + instance + ") is not the active: group \"" + r.getGroup()
          + "\" has no active instance now; nothing was changed");
    }
    if (!allActive && !r.getActive().equals(instance)) {
      return precondition("this instance (" + instance + ") is the standby; the active is " + r.getActive());
    }
    if (r.getToken() != token) {
      return Status.ABORTED.withDescription("stale token: this instance (" + instance + ") sent token " + token
          + " but it is active under token " + r.getToken() + " now; reload the editor and try again")
          .asRuntimeException();
    }
    String by = current
        .filter(c -> c.getRevision() == r.getRevision())
        .map(c -> " (deployed by " + (c.getDeployedBy().isEmpty() ? "unknown" : c.getDeployedBy()) + " at "
            + Instant.ofEpochMilli(c.getAtUnixMillis()).truncatedTo(ChronoUnit.SECONDS) + ")")
        .orElse("");
    String now = r.getRevision() == 0 ? "the group has no revision yet" : "the current revision is " + r.getRevision() + by;
    return Status.ABORTED.withDescription("revision conflict: you deployed on top of revision " + expectedRevision
        + " but " + now + "; reload the editor and deploy again").asRuntimeException();
  }

  /**
   * A context write of {@code instance} under {@code token} refused by the fence: the group's
   * active is {@code active} under {@code current}. FAILED_PRECONDITION, whichever part differs:
   * the sender must not write (it is a standby, or its activation has ended).
   */
  public static StatusRuntimeException contextRefused(String instance, long token, String group, String active,
      long current) {
    String why;
    if (active.isEmpty()) {
      why = "group \"" + group + "\" has no active instance now (token " + current + ")";
    } else if (!active.equals(instance)) {
      why = "this instance (" + instance + ") is not the active; the active is " + active + " under token " + current;
    } else {
      why = "this instance (" + instance + ") sent token " + token + " but it is active under token " + current
          + " now (its earlier activation ended)";
    }
    return precondition("context write refused: " + why + "; nothing was written");
  }

  public static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  public static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asRuntimeException();
  }

  public static StatusRuntimeException precondition(String message) {
    return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
  }

  /** Any failure as a status: unwraps futures' wrappers first. */
  public StatusRuntimeException of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (t instanceof NotLeader nl) {
      return notLeader(nl);
    }
    if (t instanceof IllegalArgumentException) {
      return invalid(t.getMessage());
    }
    if (t instanceof IllegalStateException) {
      return Status.ABORTED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
    }
    String what = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return Status.UNAVAILABLE.withDescription("coordinator cannot serve this now: " + what)
        .withCause(t).asRuntimeException();
  }

  /** UNAVAILABLE with the leader's gRPC address in the trailer, so the client redials it. */
  public StatusRuntimeException notLeader(NotLeader e) {
    Metadata trailers = new Metadata();
    String msg = "this coordinator is not the leader" + (e.why().isEmpty() ? "" : " and " + e.why());
    if (e.leaderId().isPresent()) {
      String id = e.leaderId().get();
      var addr = members.apply(id).map(PeerConfig::grpc);
      if (addr.isPresent()) {
        trailers.put(CoordinatorEndpoints.LEADER_TRAILER, addr.get().toString());
        msg += "; the leader is " + id + " at " + addr.get();
      } else {
        msg += "; the leader is " + id;
      }
    } else {
      msg += "; no leader is elected yet, retry shortly";
    }
    return Status.UNAVAILABLE.withDescription(msg).asRuntimeException(trailers);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
