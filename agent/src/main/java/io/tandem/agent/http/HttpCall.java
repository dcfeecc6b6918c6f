package io.tandem.agent.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request to an {@link HttpRoute}, read in full.
 *
 * @param method  the request method (HEAD is passed to GET routes as HEAD)
 * @param path    the decoded path, e.g. {@code /v1/storage/flows}
 * @param query   the raw query string without "?" ("" if none)
 * @param headers header values by lower-case name
 * @param body    the request body (empty if none)
 * @param loopback the request came from a loopback address
 */
public record HttpCall(String method, String path, String query, Map<String, List<String>> headers,
    byte[] body, boolean loopback) {
  /** A call from a loopback address. */
  public HttpCall(String method, String path, String query, Map<String, List<String>> headers,
      byte[] body) {
    this(method, path, query, headers, body, true);
  }

  /** The first value of query parameter {@code name} (URL-decoded), or null. */
  public String queryParam(String name) {
    if (query.isEmpty()) {
      return null;
    }
    for (String part : query.split("&")) {
      int eq = part.indexOf('=');
      String k = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      if (k.equals(name)) {
        return eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The first value of a header (case-insensitive name), or null. */
  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The part of the path after the route's prefix. */
  public String pathAfter(String prefix) {
    return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
  }
}
