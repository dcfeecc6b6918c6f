package io.tandem.agent.control;

/**
 * What this agent believes about one lock key (the local API's lock object).
 *
 * @param key            the lock key
 * @param held           this instance holds the key now
 * @param token          the lock's fencing token (held: the one it holds; else the committed one, 0 none)
 * @param holder         the instance the committed view names ("" free or unknown)
 * @param wanted         a flow on this instance wants the key
 * @param stopAtNanos    held: when the belief ends (the self-fence deadline); else Long.MIN_VALUE
 */
public record LockState(String key, boolean held, long token, String holder, boolean wanted,
    long stopAtNanos) {

  /** Time left of a held lock (never past the self-fence deadline); 0 when not held. */
  public long validForMillis(long nowNanos) {
    return held ? Math.max(0, (stopAtNanos - nowNanos) / 1_000_000) : 0;
  }

  /** The same belief without the deadline (for telling changes from the passing of time). */
  LockState stable() {
    return new LockState(key, held, token, holder, wanted, 0);
  }
}
