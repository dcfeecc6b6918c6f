package io.tandem.common.config;

/**
 * A {@code host:port} pair, the one address syntax of every Tandem config file and option. An
 * IPv6 literal goes in brackets ({@code [::1]:7401}); port 0 ("any free port") only where a
 * listener allows it ({@link #parseListen}).
 */
public record HostPort(String host, int port) {

  /** Parses an address to connect to: port 1-65535. */
  public static HostPort parse(String text) {
    return parse(text, false);
  }

  /** Parses an address to listen on: port 0-65535 (0: any free port). */
  public static HostPort parseListen(String text) {
    return parse(text, true);
  }

  /**
   * Parses {@code host:port}.
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
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("\"" + s + "\": put an IPv6 address in brackets, e.g. [::1]:7401");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("\"" + s + "\" has no host");
    }
    String portText = s.substring(colon + 1);
    if (!portText.matches("\\d+")) {
      throw new IllegalArgumentException("\"" + s + "\" has no numeric port");
    }
    int port = portText.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(portText);
    int min = allowPortZero ? 0 : 1;
    if (port < min || port > 65535) {
      throw new IllegalArgumentException("\"" + s + "\": port must be " + min + "-65535");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
