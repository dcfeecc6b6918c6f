package io.tandem.agent.control;

/**
 * Whether the context store lets flows start under a token (docs/context.md, "The agent"): the
 * agent's replica holds at least the assignment's context version and Node-RED's context plugin
 * proved that it holds exactly that context and writes through the agent.
 *
 * @param required       false: no context store (context.enabled false), flows start without it
 * @param readyToken     the plugin proved the writer role for this token (0: none)
 * @param preparingToken the agent is bringing replica and plugin to the writer role for this token
 * @param failedToken    the preparation for this token failed (the plugin never proved it in time)
 * @param detail         what the preparation waits for, or why it failed ("" none)
 */
public record ContextGate(boolean required, long readyToken, long preparingToken, long failedToken,
    String detail) {
  /** No context store: never holds flows back. */
  public static final ContextGate NOT_REQUIRED = new ContextGate(false, 0, 0, 0, "");

  public ContextGate {
    detail = detail == null ? "" : detail;
  }

  public boolean ready(long token) {
    return !required || (token > 0 && readyToken == token);
  }

  public boolean failed(long token) {
    return required && token > 0 && failedToken == token && readyToken != token;
  }

  public boolean preparing(long token) {
    return required && token > 0 && preparingToken == token;
  }
}
