package io.tandem.agent.http;

import io.tandem.http.HttpServers;
import io.tandem.http.RequestDeadline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dispatches requests to the {@link HttpRoute}s: longest prefix first, body read in full. */
final class RouteTable {
  private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);
  static final String NOT_FOUND = "not found; try /health, /active, /status, /metrics\n";
  private final List<HttpRoute> routes;

  RouteTable(List<HttpRoute> routes) {
    List<HttpRoute> sorted = new ArrayList<>(routes);
    sorted.sort(Comparator.comparingInt((HttpRoute r) -> r.pathPrefix().length()).reversed());
    Set<String> seen = new LinkedHashSet<>();
    for (HttpRoute r : sorted) {
      if (!seen.add(r.method() + " " + r.pathPrefix())) {
        throw new IllegalArgumentException("two routes for " + r.method() + " " + r.pathPrefix());
      }
    }
    this.routes = List.copyOf(sorted);
  }

  void serve(String path, Request request, Response response, Callback callback) {
    String method = request.getMethod();
    String lookup = "HEAD".equals(method) ? "GET" : method;
    HttpRoute route = null;
    Set<String> allowed = new LinkedHashSet<>();
    for (HttpRoute r : routes) {
      if (r.matches(path)) {
        if (route == null && r.method().equals(lookup)) {
          route = r;
        }
        allowed.add(r.method());
        if ("GET".equals(r.method())) {
          allowed.add("HEAD");
        }
      }
    }
    if (route == null) {
      RequestDeadline.received(request);
      if (allowed.isEmpty()) {
        AgentHttpServer.text(request, response, callback, 404, NOT_FOUND);
      } else {
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
        AgentHttpServer.text(request, response, callback, 405,
            method + " is not supported on " + path + "; use " + String.join(", ", allowed) + "\n");
      }
      return;
    }
    long length = request.getLength();
    if (length > route.maxBodyBytes()) {
      RequestDeadline.received(request);
      tooLarge(request, response, callback, route);
      return;
    }
    HttpRoute chosen = route;
    BodyReader.read(request, route.maxBodyBytes(), (body, tooLarge, failure) ->
        request.getContext().execute(() -> {
          RequestDeadline.received(request);
          if (tooLarge) {
            tooLarge(request, response, callback, chosen);
          } else if (failure != null) {
            callback.failed(failure);
          } else {
            run(chosen, call(request, path, body), request, response, callback);
          }
        }));
  }

  private static void run(HttpRoute route, HttpCall call, Request request, Response response,
      Callback callback) {
    if (route.async() != null) {
      runAsync(route, call, request, response, callback);
      return;
    }
    HttpReply reply;
    try {
      reply = route.handler().handle(call);
    } catch (Exception e) {
      failed(call, request, response, callback, e);
      return;
    }
    send(reply, request, response, callback);
  }

  private static void runAsync(HttpRoute route, HttpCall call, Request request, Response response,
      Callback callback) {
    // the wait is the handler's (bounded by it): the connection's idle timeout must not end it
    request.addIdleTimeoutListener(timeout -> false);
    java.util.concurrent.CompletionStage<HttpReply> later;
    try {
      later = route.async().handle(call);
    } catch (Exception e) {
      failed(call, request, response, callback, e);
      return;
    }
    later.whenComplete((reply, e) -> {
      if (e != null) {
        failed(call, request, response, callback, e);
      } else {
        send(reply, request, response, callback);
      }
    });
  }

  private static void send(HttpReply reply, Request request, Response response, Callback callback) {
    reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    HttpServers.send(request, response, callback, reply.status(), reply.contentType(), reply.body());
  }

  private static void failed(HttpCall call, Request request, Response response, Callback callback,
      Throwable e) {
    LOG.warn("{} {} failed: {}", call.method(), call.path(), e.toString(), e);
    AgentHttpServer.text(request, response, callback, 500,
        "internal error in " + call.method() + " " + call.path() + ": " + e.getMessage() + "\n");
  }

  private static HttpCall call(Request request, String path, byte[] body) {
    Map<String, List<String>> headers = new TreeMap<>();
    for (HttpField f : request.getHeaders()) {
      headers.computeIfAbsent(f.getLowerCaseName(), k -> new ArrayList<>()).add(f.getValue());
    }
    headers.replaceAll((k, v) -> List.copyOf(v));
    String query = request.getHttpURI().getQuery();
    java.net.SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
    boolean loopback = remote instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
        && isa.getAddress().isLoopbackAddress();
    return new HttpCall(request.getMethod(), path, query == null ? "" : query, Map.copyOf(headers),
        body, loopback);
  }

  private static void tooLarge(Request request, Response response, Callback callback,
      HttpRoute route) {
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    AgentHttpServer.text(request, response, callback, 413, "request body too large: "
        + route.method() + " " + route.pathPrefix() + " accepts at most " + route.maxBodyBytes()
        + " bytes\n");
  }
}
