package io.tandem.agent.control;

/**
 * What the control loop tells the lock side of the agent (io.tandem.agent.locks): the view after
 * every reconcile, on the control thread. It must return at once.
 */
public interface LocksPort {
  /** No lock side (tests). */
  LocksPort NONE = new LocksPort() {};

  default void onView(View v, long nowNanos) {}
}
