package io.tandem.agent.config;

/** A {@code host:port} pair; port 0 means "any free port" where a listener allows it. */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port} (IPv6 literals in brackets: {@code [::1]:7401}).
   *
   * @throws IllegalArgumentException with a message that says what is wrong
   */
  public static HostPort parse(String text, boolean allowPortZero) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected host:port, got nothing");
    }
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("\"" + s + "\" is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + s + "\" has no numeric port");
    }
    int min = allowPortZero ? 0 : 1;
    if (port < min || port > 65535) {
      throw new IllegalArgumentException("\"" + s + "\": port must be " + min + "-65535");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("\"" + s + "\" has no host");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
