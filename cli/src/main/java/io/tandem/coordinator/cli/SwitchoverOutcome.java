package io.tandem.coordinator.cli;

import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.RequestOutcomeRequest;
import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;

/**
 * When a switchover's answer did not arrive in time: asks the leader by request id what became of
 * it (AdminService.RequestOutcome), waiting while it is still in progress, so that tandemctl
 * reports what happened instead of "the outcome is unknown".
 */
final class SwitchoverOutcome {
  private static final long POLL_MILLIS = 200;

  private SwitchoverOutcome() {}

  /**
   * The outcome if the switchover succeeded (its message says how, when it is not plain).
   *
   * @param budget how long to wait for one still in progress
   * @throws CtlException exit 1 if it failed, 2 if its outcome cannot be learned
   */
  static RequestOutcomeResponse await(AdminClient client, String requestId, String group,
      Duration budget, CtlException missing) {
    long deadline = System.nanoTime() + budget.toNanos();
    RequestOutcomeRequest ask = RequestOutcomeRequest.newBuilder().setRequestId(requestId).build();
    while (true) {
      RequestOutcomeResponse o;
      try {
        o = client.call(stub -> stub.requestOutcome(ask));
      } catch (CtlException e) {
        throw new CtlException(CtlException.UNREACHABLE, missing.getMessage()
            + "; asking the cluster what became of it failed too (" + e.getMessage() + ")"
            + current(client, group));
      }
      switch (o.getState()) {
        case SUCCEEDED:
          return o;
        case FAILED:
          throw new CtlException(CtlException.REFUSED,
              "switchover of group " + group + " failed: " + o.getMessage());
        case IN_PROGRESS:
          if (System.nanoTime() - deadline < 0) {
            sleep();
            continue;
          }
          throw new CtlException(CtlException.UNREACHABLE, "switchover of group " + group
              + " (request id " + requestId + ") is still in progress on " + o.getAnsweredBy()
              + ": " + o.getMessage() + current(client, group));
        default:
          throw new CtlException(CtlException.UNREACHABLE, missing.getMessage() + ", and the"
              + " leader " + o.getAnsweredBy() + " has no record of request id " + requestId
              + " (it was refused before it began, or ran on a previous leader)"
              + current(client, group));
      }
    }
  }

  /** "; group g1 now has active b (token 7); see tandemctl history g1", or "" if unreadable. */
  private static String current(AdminClient client, String group) {
    try {
      GroupView g = client.call(stub -> stub.getGroup(GetGroupRequest.newBuilder().setGroup(group).build()));
      return "; group " + group + " now has "
          + (g.getActive().isEmpty() ? "no active instance" : "active " + g.getActive() + " (token " + g.getToken() + ")")
          + "; see tandemctl history " + group;
    } catch (CtlException e) {
      return "; check tandemctl status";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CtlException(CtlException.UNREACHABLE, "interrupted");
    }
  }
}
