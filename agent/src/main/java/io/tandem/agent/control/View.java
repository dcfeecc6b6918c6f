package io.tandem.agent.control;

import io.tandem.agent.nodered.RuntimeStatus;

/**
 * Everything {@link Decide} looks at: what the coordinator committed, the lease, the local runtime
 * and what the agent itself did.
 *
 * @param instance         this agent's instance id
 * @param committed        the newest committed assignment seen
 * @param releaseToken     a planned switchover asked the holder of this token to release (0: none)
 * @param lease            the best lease held (or {@link Lease#NONE})
 * @param runtime          the Node-RED runtime as last observed
 * @param runningToken     the token the agent started the flows under and has not fenced (0: none)
 * @param fencedToken      the highest token this agent fenced itself for
 * @param killedGeneration the runtime generation the agent already killed (-1: none)
 * @param context          whether the context store lets flows start (see {@link ContextGate})
 * @param memberFenced     all-active: the agent fenced itself and holds no fresh lease since then
 * @param lockFloor        all-active: the highest lock token held here when the agent fenced; a
 *                         lock whose token is not above it is never believed held again
 */
public record View(
    String instance,
    Committed committed,
    long releaseToken,
    Lease lease,
    RuntimeStatus runtime,
    long runningToken,
    long fencedToken,
    long killedGeneration,
    ContextGate context,
    boolean memberFenced,
    long lockFloor) {
  public View {
    context = context == null ? ContextGate.NOT_REQUIRED : context;
  }

  /** Active-standby views (no member fence, no lock floor). */
  public View(String instance, Committed committed, long releaseToken, Lease lease,
      RuntimeStatus runtime, long runningToken, long fencedToken, long killedGeneration,
      ContextGate context) {
    this(instance, committed, releaseToken, lease, runtime, runningToken, fencedToken,
        killedGeneration, context, false, 0);
  }

  /** Without a context store. */
  public View(String instance, Committed committed, long releaseToken, Lease lease,
      RuntimeStatus runtime, long runningToken, long fencedToken, long killedGeneration) {
    this(instance, committed, releaseToken, lease, runtime, runningToken, fencedToken,
        killedGeneration, ContextGate.NOT_REQUIRED);
  }
}
