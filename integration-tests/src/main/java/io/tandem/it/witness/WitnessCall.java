package io.tandem.it.witness;

/**
 * One request the witness received, in the order it decided them.
 *
 * @param seq      position in the witness's total order (0, 1, 2, ...)
 * @param nanos    System.nanoTime() of the witness JVM when it decided (monotonic)
 * @param wallMillis wall clock at the same moment, for people reading the log
 * @param instance the instance the flow says it runs on
 * @param token    the fencing token the flow read from global.get("tandem").token (0: none)
 * @param accepted whether the witness accepted it (false: answered 409)
 * @param key      the lock key the call acts under ("" for the group-wide token of an active)
 */
public record WitnessCall(long seq, long nanos, long wallMillis, String instance, long token, boolean accepted,
    String key) {

  public WitnessCall {
    key = key == null ? "" : key;
  }

  /** A call under the group-wide token (no lock key). */
  public WitnessCall(long seq, long nanos, long wallMillis, String instance, long token, boolean accepted) {
    this(seq, nanos, wallMillis, instance, token, accepted, "");
  }

  /** One log line: {@code seq nanos wallMillis instance token ACCEPT|REFUSE [key]}. */
  public String toLine() {
    return seq + " " + nanos + " " + wallMillis + " " + instance + " " + token + " " + (accepted ? "ACCEPT" : "REFUSE")
        + (key.isEmpty() ? "" : " " + key);
  }

  public static WitnessCall parse(String line) {
    String[] f = line.strip().split(" ");
    if (f.length < 6 || f.length > 7 || !(f[5].equals("ACCEPT") || f[5].equals("REFUSE"))) {
      throw new IllegalArgumentException("not a witness log line: \"" + line + "\"");
    }
    try {
      return new WitnessCall(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3],
          Long.parseLong(f[4]), f[5].equals("ACCEPT"), f.length == 7 ? f[6] : "");
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a witness log line: \"" + line + "\"", e);
    }
  }
}
