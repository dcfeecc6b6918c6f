package io.tandem.common.tls;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Files re-read at most once per interval, when a handshake asks: {@link #changed()} is true when
 * their bytes differ from the last ones seen. Comparing bytes (a few KB) rather than modification
 * times catches a replacement within the same clock tick.
 */
final class WatchedFiles {
  static final long CHECK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private final List<Path> files;
  private final LongSupplier nanos;
  private byte[][] seen;
  private long nextCheck;

  WatchedFiles(List<Path> files, byte[][] initial, LongSupplier nanos) {
    this.files = List.copyOf(files);
    this.seen = initial;
    this.nanos = nanos;
    this.nextCheck = nanos.getAsLong() + CHECK_EVERY_NANOS;
  }

  /** The current bytes if they changed since the last call that returned them, else null. */
  synchronized byte[][] changed() {
    long now = nanos.getAsLong();
    if (now - nextCheck < 0) {
      return null;
    }
    nextCheck = now + CHECK_EVERY_NANOS;
    byte[][] now_ = new byte[files.size()][];
    for (int i = 0; i < files.size(); i++) {
      try {
        now_[i] = Pem.read(files.get(i));
      } catch (TlsException e) {
        return null; // being replaced, or gone: keep what we have, look again later
      }
    }
    for (int i = 0; i < now_.length; i++) {
      if (!Arrays.equals(now_[i], seen[i])) {
        seen = now_;
        return now_;
      }
    }
    return null;
  }

  static byte[][] readAll(List<Path> files) {
    byte[][] out = new byte[files.size()][];
    for (int i = 0; i < files.size(); i++) {
      out[i] = Pem.read(files.get(i));
    }
    return out;
  }
}
