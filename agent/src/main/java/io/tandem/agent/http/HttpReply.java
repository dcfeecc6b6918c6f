package io.tandem.agent.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link HttpRoute} answers.
 *
 * @param status      HTTP status code
 * @param contentType Content-Type of the body
 * @param body        the body (sent without it for HEAD)
 * @param headers     extra response headers (e.g. ETag)
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
  public HttpReply {
    headers = Map.copyOf(headers);
  }

  public static HttpReply of(int status, String contentType, byte[] body) {
    return new HttpReply(status, contentType, body, Map.of());
  }

  /** A JSON body ({@code application/json}); a newline is appended if missing. */
  public static HttpReply json(int status, String json) {
    return of(status, "application/json", withNewline(json));
  }

  /** A plain text body; a newline is appended if missing. */
  public static HttpReply text(int status, String text) {
    return of(status, "text/plain; charset=utf-8", withNewline(text));
  }

  /** This reply with one more header. */
  public HttpReply withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpReply(status, contentType, body, h);
  }

  private static byte[] withNewline(String s) {
    return (s.endsWith("\n") ? s : s + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
