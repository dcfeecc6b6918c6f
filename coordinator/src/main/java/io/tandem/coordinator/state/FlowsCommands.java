package io.tandem.coordinator.state;

import io.tandem.proto.state.FlowsRevision;
import io.tandem.proto.state.Group;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.GroupData;
import io.tandem.proto.state.Outcome;
import io.tandem.proto.state.SetFlows;
import io.tandem.proto.state.TandemState;
import io.tandem.proto.state.Transition;
import io.tandem.proto.state.TransitionKind;
import java.util.List;
import java.util.Optional;

/**
 * SetFlows: a new flows revision of a group (DESIGN.md, "The group's data"). Compare-and-set on
 * two things, checked in this order:
 *
 * <ol>
 *   <li>the token (skipped for admin imports and rollbacks, {@code from_admin}): committed only
 *       from the active instance under the group's current token, so a standby or a stale active
 *       cannot deploy. Refused as STALE_TOKEN; the result's {@code active} and {@code
 *       token} are the group's, so the caller can say "the active is b".
 *   <li>the revision: {@code expected_revision} must be the group's current revision (0 before
 *       the first), so two editors cannot lose each other's update. Refused as STALE_TOKEN with
 *       the result's active and token equal to the sender's (that is how the caller tells the two
 *       apart) and the result's {@code revision} the current one.
 * </ol>
 *
 * The revision number is the log index of the entry. A rollback ({@code rollback_of > 0}, flows
 * left empty) re-commits that kept revision's content (flows, credentials, modules, key digest)
 * under a new number. The last {@code keep_revisions} revisions are kept, oldest dropped first;
 * the current one always stays.
 */
final class FlowsCommands {
  /** Revisions kept when the command does not say (it is stamped by the leader from its config). */
  static final int DEFAULT_KEEP_REVISIONS = 20;

  private FlowsCommands() {}

  static Change setFlows(TandemState state, SetFlows c, long index, long atMillis) {
    String name = c.getGroup();
    Optional<Change> refused = GroupCommands.findRefusal(state, name, index);
    if (refused.isPresent()) {
      return refused.get();
    }
    Group g = state.getGroupsMap().get(name);
    if (!c.getFromAdmin()) {
      Optional<Change> fenced = fenceRefusal(g, c.getInstance(), c.getToken(), index, "deploy");
      if (fenced.isPresent()) {
        return withRevision(fenced.get(), g.getCurrentRevision());
      }
    }
    if (c.getExpectedRevision() != g.getCurrentRevision()) {
      String current = g.getCurrentRevision() == 0 ? "the group has no revision yet"
          : "the current revision is " + g.getCurrentRevision();
      return withRevision(Change.refuse(index, Outcome.STALE_TOKEN, name, g,
          "revision conflict: deployed on top of revision " + c.getExpectedRevision() + " but " + current),
          g.getCurrentRevision());
    }
    GroupData data = state.getGroupDataMap().getOrDefault(name, GroupData.getDefaultInstance());
    FlowsRevision.Builder rev = FlowsRevision.newBuilder()
        .setRevision(index)
        .setDeployedBy(c.getDeployedBy())
        .setAtUnixMillis(atMillis);
    if (c.getRollbackOf() > 0) {
      Optional<FlowsRevision> old = kept(data, c.getRollbackOf());
      if (old.isEmpty()) {
        return withRevision(Change.refuse(index, Outcome.NOT_FOUND, name, g,
            "revision " + c.getRollbackOf() + " of group \"" + name + "\" is not kept (kept: "
                + keptList(data) + ")"), g.getCurrentRevision());
      }
      if (!c.getFlows().isEmpty() || !c.getCredentials().isEmpty()) {
        return withRevision(Change.refuse(index, Outcome.INVALID, name, g,
            "a rollback carries no flows of its own (it re-commits revision " + c.getRollbackOf() + ")"),
            g.getCurrentRevision());
      }
      rev.setFlows(old.get().getFlows())
          .setCredentials(old.get().getCredentials())
          .addAllModules(old.get().getModulesList())
          .setCredentialKeyDigest(old.get().getCredentialKeyDigest())
          .setRollbackOf(c.getRollbackOf());
    } else {
      rev.setFlows(c.getFlows())
          .setCredentials(c.getCredentials())
          .addAllModules(c.getModulesList())
          .setCredentialKeyDigest(c.getCredentialKeyDigest());
    }
    rev.setSizeBytes(rev.getFlows().size() + rev.getCredentials().size())
        .setDigest(FlowsDigest.of(rev.getFlows(), rev.getCredentials()));
    FlowsRevision revision = rev.build();
    int keep = c.getKeepRevisions() > 0 ? c.getKeepRevisions() : DEFAULT_KEEP_REVISIONS;
    GroupData after = append(data, revision, keep);

    String by = c.getDeployedBy().isEmpty() ? "" : " by " + c.getDeployedBy();
    String what = c.getRollbackOf() > 0
        ? "revision " + index + " rolls back to revision " + c.getRollbackOf() + by
        : "revision " + index + " deployed" + by;
    Transition t = Change.transition(index, TransitionKind.FLOWS_DEPLOYED, "", g.getActive(), g.getToken(),
        what + " (" + revision.getSizeBytes() + " bytes, " + revision.getDigest() + ")", atMillis);
    Group next = Groups.appendHistory(g.toBuilder().setCurrentRevision(index), t).build();
    return withRevision(Change.ok(index, name, next, what, List.of(t)), index).withData(after);
  }

  /**
   * The fence shared by deploys and fenced editor data: refused as STALE_TOKEN unless the group
   * has an active instance, {@code instance} is it (when given), and {@code token} is the
   * group's current token.
   */
  static Optional<Change> fenceRefusal(Group g, String instance, long token, long index, String what) {
    if (g.getMode() == GroupMode.ALL_ACTIVE) {
      return allActiveFence(g, instance, token, index, what);
    }
    if (g.getActive().isEmpty()) {
      return Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
          what + " refused: group \"" + g.getName() + "\" has no active instance (token " + g.getToken() + ")"));
    }
    if (!instance.isEmpty() && !instance.equals(g.getActive())) {
      return Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
          what + " refused: \"" + instance + "\" is not the active instance (the active is \"" + g.getActive() + "\")"));
    }
    if (token != g.getToken()) {
      return Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
          what + " refused: token " + token + " is not the group's current token " + g.getToken()
              + " (the active is \"" + g.getActive() + "\")"));
    }
    return Optional.empty();
  }

  /**
   * All-active: any member under the group's token (fixed at creation); the gRPC layer accepts
   * the request only from a member whose lease is live on the leader.
   */
  private static Optional<Change> allActiveFence(Group g, String instance, long token, long index, String what) {
    if (instance.isEmpty() || !Groups.isMember(g, instance)) {
      return Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
          what + " refused: " + (instance.isEmpty() ? "it names no instance" : "\"" + instance + "\" is not a member")
              + " of the all-active group \"" + g.getName() + "\""));
    }
    if (token != g.getToken()) {
      return Optional.of(Change.refuse(index, Outcome.STALE_TOKEN, g.getName(), g,
          what + " refused: token " + token + " is not the token " + g.getToken() + " of the all-active group \""
              + g.getName() + "\""));
    }
    return Optional.empty();
  }

  /** The kept revision {@code revision} of a group's data, if it is still kept. */
  static Optional<FlowsRevision> kept(GroupData data, long revision) {
    return data.getRevisionsList().stream().filter(r -> r.getRevision() == revision).findFirst();
  }

  private static String keptList(GroupData data) {
    if (data.getRevisionsCount() == 0) {
      return "none";
    }
    return data.getRevisions(0).getRevision() + " to "
        + data.getRevisions(data.getRevisionsCount() - 1).getRevision();
  }

  private static GroupData append(GroupData data, FlowsRevision revision, int keep) {
    List<FlowsRevision> old = data.getRevisionsList();
    int drop = Math.max(0, old.size() + 1 - keep);
    return data.toBuilder()
        .clearRevisions()
        .addAllRevisions(old.subList(Math.min(drop, old.size()), old.size()))
        .addRevisions(revision)
        .build();
  }

  private static Change withRevision(Change c, long revision) {
    return c.withResult(c.result().toBuilder().setRevision(revision).build());
  }
}
