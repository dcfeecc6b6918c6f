package io.tandem.coordinator.metrics;

import io.tandem.http.HttpServers;
import io.tandem.http.RequestDeadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code GET /metrics} (Prometheus text format 0.0.4) on one address, on Jetty with the
 * limits of {@link HttpServers} (idle and slow clients cannot hold it).
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final String TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private final Server server;

  /**
   * Binds the address; {@link #start} serves it.
   *
   * @throws IOException "cannot listen on HOST:PORT (metrics): cause" if it cannot be bound
   */
  public MetricsHttpServer(InetSocketAddress address, CoordinatorMetrics metrics) throws IOException {
    server = HttpServers.bind(address.getHostString(), address.getPort(), "metrics",
        new MetricsHandler(metrics));
  }

  public void start() throws IOException {
    try {
      server.start();
    } catch (Exception e) {
      HttpServers.stop(server);
      throw new IOException("cannot start the metrics server on port " + port() + ": " + e, e);
    }
  }

  public int port() {
    return HttpServers.port(server);
  }

  @Override
  public void close() {
    HttpServers.stop(server);
  }

  private static final class MetricsHandler extends Handler.Abstract {
    private final CoordinatorMetrics metrics;

    MetricsHandler(CoordinatorMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      RequestDeadline.received(request);
      if (!"/metrics".equals(Request.getPathInContext(request))) {
        HttpServers.send(request, response, callback, 404, "text/plain",
            "not found; try /metrics\n".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      String method = request.getMethod();
      if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        HttpServers.send(request, response, callback, 405, null, new byte[0]);
        return true;
      }
      HttpServers.send(request, response, callback, 200, TYPE,
          metrics.scrape().getBytes(StandardCharsets.UTF_8));
      return true;
    }
  }
}
