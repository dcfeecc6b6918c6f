package io.tandem.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection that takes too long to deliver a request: from the moment it opens, or ends
 * its previous exchange, until its handler has the whole request (headers and body). The idle
 * timeout alone does not catch a client that trickles a byte every few hundred milliseconds.
 *
 * <p>Install it with {@link #install}; handlers call {@link #received} once they have read the
 * request (without it, the deadline also bounds the handler's own time).
 */
public final class RequestDeadline extends AbstractLifeCycle implements Connection.Listener {
  private static final long SWEEP_MILLIS = 200;
  private static final long HANDLING = Long.MIN_VALUE;
  private final long timeoutNanos;
  private final Scheduler scheduler;
  private final Map<Connection, Long> deadlines = new ConcurrentHashMap<>();
  private final AtomicLong expired = new AtomicLong();
  private volatile Scheduler.Task sweep;

  private RequestDeadline(long timeoutMillis, Scheduler scheduler) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    this.scheduler = scheduler;
  }

  /** Adds a deadline of {@code timeoutMillis} to the connector; returns the handler to serve. */
  static Handler install(org.eclipse.jetty.server.AbstractConnector connector, long timeoutMillis,
      Handler handler) {
    RequestDeadline d = new RequestDeadline(timeoutMillis, connector.getScheduler());
    connector.addBean(d, true);
    connector.addEventListener(d);
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Connection c = request.getConnectionMetaData().getConnection();
        return super.handle(request, response, Callback.from(callback, () -> d.arm(c)));
      }
    };
  }

  /** The handler has the whole request: the connection may now take as long as it needs. */
  public static void received(Request request) {
    RequestDeadline d = request.getConnectionMetaData().getConnector().getBean(RequestDeadline.class);
    if (d != null) {
      d.deadlines.computeIfPresent(request.getConnectionMetaData().getConnection(), (c, t) -> HANDLING);
    }
  }

  /** Connections closed so far because their request did not arrive in time. */
  public long expiredConnections() {
    return expired.get();
  }

  private void arm(Connection c) {
    deadlines.computeIfPresent(c, (k, t) -> System.nanoTime() + timeoutNanos);
  }

  @Override
  public void onOpened(Connection connection) {
    deadlines.put(connection, System.nanoTime() + timeoutNanos);
  }

  @Override
  public void onClosed(Connection connection) {
    deadlines.remove(connection);
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    Scheduler.Task t = sweep;
    if (t != null) {
      t.cancel();
    }
    deadlines.clear();
  }

  private void schedule() {
    sweep = scheduler.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    deadlines.forEach((c, t) -> {
      if (t != HANDLING && now - t > 0 && deadlines.remove(c, t)) {
        expired.incrementAndGet();
        c.getEndPoint().close();
      }
    });
    if (isRunning()) {
      schedule();
    }
  }
}
