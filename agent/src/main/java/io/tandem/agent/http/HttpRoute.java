package io.tandem.agent.http;

import java.util.Locale;
import java.util.Objects;

/**
 * An additional route of the agent's HTTP API: requests with this method whose path starts with
 * {@code pathPrefix} go to {@code handler}, with their whole body (at most {@code maxBodyBytes};
 * a larger one is refused with 413 before the handler runs). A GET route also answers HEAD.
 *
 * <p>The built-in paths ({@code /health}, {@code /active}, {@code /status}, {@code /metrics})
 * always win; among routes the longest matching prefix wins. A path that matches a prefix only
 * under another method is answered with 405 and an {@code Allow} header.
 *
 * @param method       GET, PUT, POST, DELETE, ...
 * @param pathPrefix   e.g. {@code /v1/storage/}; must start with "/" and be more than "/"
 * @param maxBodyBytes largest accepted request body (0: no body)
 * @param handler      runs on one of the server's threads once the whole body has arrived
 */
public record HttpRoute(String method, String pathPrefix, int maxBodyBytes, Handler handler,
    AsyncHandler async) {
  /** Largest body a route may accept. */
  public static final int MAX_BODY_LIMIT = 64 * 1024 * 1024;

  public HttpRoute {
    method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    if ((handler == null) == (async == null)) {
      throw new IllegalArgumentException("route " + method + " " + pathPrefix
          + ": exactly one of handler and async is required");
    }
    if (!pathPrefix.startsWith("/") || pathPrefix.length() < 2) {
      throw new IllegalArgumentException("route path prefix must start with / and name a path: "
          + pathPrefix);
    }
    if (maxBodyBytes < 0 || maxBodyBytes > MAX_BODY_LIMIT) {
      throw new IllegalArgumentException("route " + method + " " + pathPrefix
          + ": maxBodyBytes must be 0.." + MAX_BODY_LIMIT + ", got " + maxBodyBytes);
    }
  }

  /** A route whose handler answers at once, on a server thread. */
  public HttpRoute(String method, String pathPrefix, int maxBodyBytes, Handler handler) {
    this(method, pathPrefix, maxBodyBytes, Objects.requireNonNull(handler, "handler"), null);
  }

  /**
   * A route whose handler answers later (a long poll): it returns at once with a future and holds
   * no server thread while it waits; the connection's idle timeout does not end the wait.
   */
  public static HttpRoute async(String method, String pathPrefix, int maxBodyBytes,
      AsyncHandler handler) {
    return new HttpRoute(method, pathPrefix, maxBodyBytes, null,
        Objects.requireNonNull(handler, "handler"));
  }

  /** A route without a request body. */
  public static HttpRoute get(String pathPrefix, Handler handler) {
    return new HttpRoute("GET", pathPrefix, 0, handler);
  }

  boolean matches(String path) {
    return path.startsWith(pathPrefix);
  }

  /** Answers one request; an exception becomes a 500 with the exception's message. */
  @FunctionalInterface
  public interface Handler {
    HttpReply handle(HttpCall call) throws Exception;
  }

  /** Answers one request later; an exception (thrown or in the future) becomes a 500. */
  @FunctionalInterface
  public interface AsyncHandler {
    java.util.concurrent.CompletionStage<HttpReply> handle(HttpCall call) throws Exception;
  }
}
