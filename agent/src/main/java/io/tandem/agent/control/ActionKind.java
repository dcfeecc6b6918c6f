package io.tandem.agent.control;

/** What the executor does next. */
public enum ActionKind {
  /** Nothing; the reason says why (standby, active and healthy, waiting ...). */
  NONE,
  /** Ask the coordinator for a lease now (assigned, no valid lease yet). */
  RENEW_NOW,
  /**
   * Bring the context replica to the assignment's context version and make Node-RED's context
   * plugin the writer (asynchronously); flows start once it proved it.
   */
  PREPARE_CONTEXT,
  /** Set the token in Node-RED (POST /tandem/fence), then start its flows. */
  SET_TOKEN_AND_START,
  /** Stop the flows within the stop budget, else kill Node-RED; then fence the token and report. */
  STOP,
  /** SIGKILL Node-RED (hung); fence the token if one is held and report. */
  KILL,
  /** Nothing to stop (Node-RED is gone or was never started for the token): fence it and report. */
  REPORT_FENCED
}
