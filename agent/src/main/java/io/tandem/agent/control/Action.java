package io.tandem.agent.control;

import io.tandem.proto.agent.FenceReason;
import java.util.Objects;

/**
 * What {@link Decide} wants done, with the token concerned and a reason sentence for the log.
 *
 * @param kind   the action
 * @param token  the token started, stopped or fenced (0 if none)
 * @param fence  why a token is fenced (STOP, KILL, REPORT_FENCED); UNSPECIFIED otherwise
 * @param reason one sentence, e.g. "flows stopped: the lease ends in 12 ms and was not renewed"
 */
public record Action(ActionKind kind, long token, FenceReason fence, String reason) {
  public Action {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(reason, "reason");
  }

  static Action none(String reason) {
    return new Action(ActionKind.NONE, 0, FenceReason.FENCE_REASON_UNSPECIFIED, reason);
  }

  static Action renewNow(long token, String reason) {
    return new Action(ActionKind.RENEW_NOW, token, FenceReason.FENCE_REASON_UNSPECIFIED, reason);
  }

  static Action prepareContext(long token, String reason) {
    return new Action(ActionKind.PREPARE_CONTEXT, token, FenceReason.FENCE_REASON_UNSPECIFIED,
        reason);
  }

  static Action start(long token, String reason) {
    return new Action(ActionKind.SET_TOKEN_AND_START, token, FenceReason.FENCE_REASON_UNSPECIFIED,
        reason);
  }

  static Action stop(long token, FenceReason fence, String reason) {
    return new Action(ActionKind.STOP, token, fence, reason);
  }

  static Action kill(long token, String reason) {
    return new Action(ActionKind.KILL, token, FenceReason.HUNG, reason);
  }

  static Action reportFenced(long token, FenceReason fence, String reason) {
    return new Action(ActionKind.REPORT_FENCED, token, fence, reason);
  }

  /** A short label for metrics: the fence reason if any, else the action. */
  public String reasonTag() {
    return fence == FenceReason.FENCE_REASON_UNSPECIFIED ? kind.name() : fence.name();
  }
}
