package io.tandem.agent.config;

import java.time.Duration;

/**
 * Commands run (with {@code sh -c}) after this instance became active or stopped being active.
 *
 * @param onActivate   command or empty
 * @param onDeactivate command or empty
 * @param timeout      a hook still running after this is killed
 */
public record HookSettings(String onActivate, String onDeactivate, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public HookSettings {
    onActivate = onActivate == null ? "" : onActivate.trim();
    onDeactivate = onDeactivate == null ? "" : onDeactivate.trim();
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
  }

  public static HookSettings none() {
    return new HookSettings("", "", DEFAULT_TIMEOUT);
  }
}
