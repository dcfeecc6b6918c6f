package io.tandem.agent.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reads a request body in full without blocking a thread, up to a limit. */
final class BodyReader implements Runnable {
  /** How a read ends: the body, or null with {@code tooLarge} or a failure. */
  interface Done {
    void done(byte[] body, boolean tooLarge, Throwable failure);
  }

  private final Request request;
  private final int max;
  private final Done done;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private BodyReader(Request request, int max, Done done) {
    this.request = request;
    this.max = max;
    this.done = done;
  }

  static void read(Request request, int max, Done done) {
    new BodyReader(request, max, done).run();
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        done.done(null, false, chunk.getFailure());
        return;
      }
      ByteBuffer b = chunk.getByteBuffer();
      if (bytes.size() + b.remaining() > max) {
        chunk.release();
        done.done(null, true, null);
        return;
      }
      byte[] part = new byte[b.remaining()];
      b.get(part);
      bytes.write(part, 0, part.length);
      boolean last = chunk.isLast();
      chunk.release();
      if (last) {
        done.done(bytes.toByteArray(), false, null);
        return;
      }
    }
  }
}
