package io.tandem.agent.nodered;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Creates the runtime that matches the settings' mode. */
public final class NodeRedRuntimes {
  private NodeRedRuntimes() {}

  /**
   * Reads (or generates) the admin token and returns a runtime that is not started yet.
   *
   * @throws UncheckedIOException if the token file cannot be read or created, or is readable by others
   */
  public static NodeRedRuntime create(NodeRedSettings settings) {
    String token;
    try {
      token = TokenFile.loadOrCreate(settings.tokenFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Node-RED admin token: " + e.getMessage(), e);
    }
    return settings.mode() == NodeRedSettings.Mode.LAUNCH
        ? new LaunchedRuntime(settings, token)
        : new AttachedRuntime(settings, token);
  }
}
