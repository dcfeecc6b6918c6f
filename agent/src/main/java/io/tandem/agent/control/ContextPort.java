package io.tandem.agent.control;

/**
 * What the control loop needs from the context store (io.tandem.agent.context). {@link Decide}
 * reads {@link #gate()} through the {@link View}; the executor calls the rest. Every call is
 * bounded: none waits past the deadline it is given.
 */
public interface ContextPort {
  /** No context store: flows start without a handshake, stops drain nothing. */
  ContextPort NONE = new ContextPort() {};

  default ContextGate gate() {
    return ContextGate.NOT_REQUIRED;
  }

  /**
   * Starts (asynchronously) the preparation for {@code token}: the replica is brought to at least
   * {@code contextVersion}, then the plugin is told writer:true; the gate says when it proved it.
   */
  default void prepare(long token, long contextVersion) {}

  /**
   * A planned stop after the flows stopped: tells the plugin writer:false, waits for its proof that
   * its queued writes were delivered, commits the batch and waits for the commit. Returns a short
   * sentence on what was not done in time ("" when everything was committed).
   */
  default String drain(long token, long deadlineNanos) {
    return "";
  }

  /** Node-RED went away (crash, hang): commit what the agent holds, then give up the writer role. */
  default String commitPending(long token, long deadlineNanos) {
    return "";
  }

  /** Lease lost or assignment moved: the writer role ends now, pending writes are dropped. */
  default void drop(long token, String why) {}
}
