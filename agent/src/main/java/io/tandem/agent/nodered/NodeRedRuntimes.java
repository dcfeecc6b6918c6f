package io.tandem.agent.nodered;

/** Creates the runtime that matches the settings' mode. */
public final class NodeRedRuntimes {
  private NodeRedRuntimes() {}

  public static NodeRedRuntime create(NodeRedSettings settings) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
