package io.tandem.coordinator.lease;

import io.tandem.proto.agent.FenceReason;
import io.tandem.proto.state.AcquireLock;
import io.tandem.proto.state.Activate;
import io.tandem.proto.state.ReleaseLock;
import io.tandem.proto.state.Command;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Deactivate;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.Outcome;

/** Builds the commands the lease keeper proposes, and the words that explain them. */
final class Decisions {
  private Decisions() {}

  /** Activate {@code instance}, compare-and-set on the group's current token and flows revision. */
  static Decision activate(Group g, String instance, String reason, String cause) {
    Command c =
        Command.newBuilder()
            .setActivate(
                Activate.newBuilder()
                    .setGroup(g.getName())
                    .setInstance(instance)
                    .setExpectedToken(g.getToken())
                    .setExpectedRevision(g.getCurrentRevision())
                    .setReason(reason))
            .build();
    return new Decision(g.getName(), c, cause);
  }

  /** Leave the group without an active instance, compare-and-set on its current token. */
  static Decision deactivate(Group g, String reason, String cause) {
    Command c =
        Command.newBuilder()
            .setDeactivate(
                Deactivate.newBuilder()
                    .setGroup(g.getName())
                    .setExpectedToken(g.getToken())
                    .setReason(reason))
            .build();
    return new Decision(g.getName(), c, cause);
  }

  /** Give {@code key} to {@code instance}, compare-and-set on the key's token (0: no entry yet). */
  static Decision acquireLock(Group g, String key, String instance, long expectedToken, String reason, String cause) {
    Command c = Command.newBuilder()
        .setAcquireLock(AcquireLock.newBuilder().setGroup(g.getName()).setKey(key).setInstance(instance)
            .setExpectedToken(expectedToken).setReason(reason))
        .build();
    return new Decision(g.getName(), c, cause);
  }

  /** Free {@code key}, compare-and-set on its token (the keeper names no instance). */
  static Decision releaseLock(Group g, String key, long token, String reason, String cause) {
    Command c = Command.newBuilder()
        .setReleaseLock(ReleaseLock.newBuilder().setGroup(g.getName()).setKey(key).setToken(token).setReason(reason))
        .build();
    return new Decision(g.getName(), c, cause);
  }

  /** The result of the activation that made {@code g}'s current assignment (token = its index). */
  static CommandResult committedActivation(Group g) {
    return CommandResult.newBuilder()
        .setOutcome(Outcome.OK)
        .setMessage("\"" + g.getActive() + "\" is active under token " + g.getToken())
        .setGroup(g.getName())
        .setActive(g.getActive())
        .setToken(g.getToken())
        .setIndex(g.getToken())
        .build();
  }

  /** For a history reason: "crashed", "lease lost", ... */
  static String reasonText(FenceReason r) {
    return r == null || r == FenceReason.FENCE_REASON_UNSPECIFIED
        ? "reported in heartbeat"
        : r.name().toLowerCase().replace('_', ' ');
  }

  /** For a metric tag: "crashed", "lease_lost", ..., "fenced" when no reason was given. */
  static String causeTag(FenceReason r) {
    return r == null || r == FenceReason.FENCE_REASON_UNSPECIFIED ? "fenced" : r.name().toLowerCase();
  }
}
