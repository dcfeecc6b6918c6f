package io.tandem.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/** Stop-the-world GC pauses of this JVM from the collectors' notifications (count, total, longest). */
public final class GcWatch implements AutoCloseable {
  public final AtomicLong count = new AtomicLong();
  public final AtomicLong totalMillis = new AtomicLong();
  public final AtomicLong maxMillis = new AtomicLong();
  private final NotificationListener listener = (n, h) -> {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    if (info.getGcName().contains("Concurrent") || info.getGcName().contains("Cycles")) {
      return; // concurrent phases, not pauses
    }
    long d = info.getGcInfo().getDuration();
    count.incrementAndGet();
    totalMillis.addAndGet(d);
    maxMillis.accumulateAndGet(d, Math::max);
  };

  public GcWatch() {
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) b).addNotificationListener(listener, null, null);
    }
  }

  public void reset() {
    count.set(0);
    totalMillis.set(0);
    maxMillis.set(0);
  }

  @Override
  public void close() {
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      try {
        ((NotificationEmitter) b).removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // not added
      }
    }
  }
}
