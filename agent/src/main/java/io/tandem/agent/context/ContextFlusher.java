package io.tandem.agent.context;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.proto.agent.WriteContextResponse;
import io.tandem.proto.state.ContextOp;
import io.tandem.proto.state.ContextOpResult;
import io.tandem.proto.state.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches the writer's ops and commits them as one WriteContext at most {@code flushInterval}
 * after the first op of a batch, at once when the batch reaches {@code maxBatchOps} ops or
 * {@link #MAX_BATCH_BYTES}, or when a synchronous write or a stop asks for it. One WriteContext is
 * in flight at a time; ops are committed in the order they arrived.
 *
 * <p>A batch whose call fails for lack of a majority is retried with the same request id (a retry
 * returns the first result) while the writer role lasts. A refusal of the whole write (stale
 * token) drops the batch and everything queued, and ends the writer role.
 */
final class ContextFlusher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContextFlusher.class);
  /** A batch this large is committed at once (the entry must stay far below Ratis' 16 MB limit). */
  static final long MAX_BATCH_BYTES = 1024 * 1024;
  private static final long RETRY_PAUSE_MS = 50;

  /** One WriteContext call: returns the response or throws the gRPC status. */
  interface Writer {
    WriteContextResponse write(long token, List<ContextOp> ops, String requestId);
  }

  /** What the flusher tells the rest of the agent. */
  interface Listener {
    /** A batch was committed at {@code version}; {@code refused} are its async ops that failed. */
    void committed(long token, long version, List<ContextHub.Correction> refused);

    /** The coordinator refused the whole write: the token is stale. */
    void fenced(long token, String message);
  }

  /** The answer of a synchronous write: the commit's version and this request's results. */
  record SyncResult(long version, List<ContextOpResult> results) {}

  /** Why a synchronous write has no result. */
  static final class WriteFailed extends Exception {
    final int status;
    final String code;

    WriteFailed(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private static final class SyncGroup {
    final CompletableFuture<SyncResult> future = new CompletableFuture<>();
    final ContextOpResult[] results;
    int left;
    long version;

    SyncGroup(int n) {
      results = new ContextOpResult[n];
      left = n;
    }
  }

  private record Entry(ContextOp op, long bytes, long seq, SyncGroup group, int index) {}

  private final Writer writer;
  private final Listener listener;
  private final ContextMetrics metrics;
  /** Send-to-commit time of the last committed batch (retries included); -1 before the first. */
  private volatile long lastFlushNanos = -1;
  private final long intervalNanos;
  private final int maxOps;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private final Thread thread;
  private long token;            // the writer role the queued ops belong to (0: none)
  private long retired;          // the highest token whose role ended: its ops are never taken again
  private long pendingBytes;
  private long firstAtNanos;
  private long lastSeq;
  private long doneSeq;          // every op up to this one is committed or dropped
  private boolean urgent;        // a sync write or a stop waits
  private boolean inFlight;
  private long lastVersion;
  private boolean closed;

  ContextFlusher(Duration flushInterval, int maxBatchOps, Writer writer, Listener listener,
      ContextMetrics metrics) {
    this.intervalNanos = flushInterval.toNanos();
    this.maxOps = maxBatchOps;
    this.writer = writer;
    this.listener = listener;
    this.metrics = metrics;
    this.thread = new Thread(this::run, "tandem-context-flush");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues async ops under the writer role {@code writerToken}; returns false if it is 0. */
  boolean enqueue(long writerToken, List<ContextOp> ops) {
    return add(writerToken, ops, null);
  }

  /** Queues ops to be committed at once; the future completes after their commit. */
  CompletableFuture<SyncResult> enqueueSync(long writerToken, List<ContextOp> ops) {
    SyncGroup g = new SyncGroup(ops.size());
    if (ops.isEmpty()) {
      g.future.complete(new SyncResult(lastVersion(), List.of()));
      return g.future;
    }
    if (!add(writerToken, ops, g)) {
      g.future.completeExceptionally(new WriteFailed(409, "tandem_standby", ContextEndpoints.STANDBY));
    }
    return g.future;
  }

  private boolean add(long writerToken, List<ContextOp> ops, SyncGroup g) {
    lock.lock();
    try {
      if (writerToken <= 0 || writerToken <= retired || closed) {
        return false;
      }
      if (token != writerToken) {
        dropLocked(token == 0 ? "" : "the writer role moved to token " + writerToken);
        token = writerToken;
      }
      if (pending.isEmpty()) {
        firstAtNanos = System.nanoTime();
      }
      for (int i = 0; i < ops.size(); i++) {
        ContextOp op = ops.get(i);
        long bytes = op.getSerializedSize();
        pending.addLast(new Entry(op, bytes, ++lastSeq, g, i));
        pendingBytes += bytes;
      }
      if (g != null) {
        urgent = true;
      }
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Commits everything queued so far for {@code writerToken} and waits for the commit; false if
   * it did not complete before {@code deadlineNanos} (the ops stay queued until the role ends).
   */
  boolean flushAndWait(long writerToken, long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      if (token != writerToken) {
        return true;
      }
      long target = lastSeq;
      urgent = true;
      changed.signalAll();
      while (doneSeq < target) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || token != writerToken) {
          return doneSeq >= target;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Send-to-commit time of the last committed batch in nanoseconds; -1 before the first. */
  long lastFlushNanos() {
    return lastFlushNanos;
  }

  /** Ops queued and not yet committed. */
  int pendingOps() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  long lastVersion() {
    lock.lock();
    try {
      return lastVersion;
    } finally {
      lock.unlock();
    }
  }

  /** The writer role of {@code writerToken} ended: nothing queued is committed any more. */
  void discard(long writerToken, String why) {
    lock.lock();
    try {
      retired = Math.max(retired, writerToken == 0 ? token : writerToken);
      if (token == writerToken || writerToken == 0) {
        dropLocked(why);
        token = 0;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void dropLocked(String why) {
    if (pending.isEmpty()) {
      return;
    }
    if (!why.isEmpty()) {
      log.warn("{} context ops of token {} dropped uncommitted: {}", pending.size(), token, why);
    }
    metrics.dropped(pending.size());
    for (Entry e : pending) {
      if (e.group() != null) {
        e.group().future.completeExceptionally(new WriteFailed(409, "tandem_fenced",
            "the write was not committed: " + why));
      }
    }
    doneSeq = pending.peekLast().seq();
    pending.clear();
    pendingBytes = 0;
  }

  private void run() {
    while (true) {
      long batchToken;
      List<Entry> batch = new ArrayList<>();
      lock.lock();
      try {
        while (!closed && !due(System.nanoTime())) {
          if (pending.isEmpty()) {
            urgent = false;
            changed.await();
          } else {
            changed.awaitNanos(Math.max(1, firstAtNanos + intervalNanos - System.nanoTime()));
          }
        }
        if (closed) {
          return;
        }
        long bytes = 0;
        while (!pending.isEmpty() && batch.size() < maxOps
            && (batch.isEmpty() || bytes + pending.peekFirst().bytes() <= MAX_BATCH_BYTES)) {
          Entry e = pending.removeFirst();
          bytes += e.bytes();
          batch.add(e);
        }
        pendingBytes -= bytes;
        firstAtNanos = System.nanoTime();
        batchToken = token;
        inFlight = true;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        commit(batchToken, batch);
      } finally {
        lock.lock();
        try {
          inFlight = false;
          doneSeq = Math.max(doneSeq, batch.get(batch.size() - 1).seq());
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private boolean due(long now) {
    if (pending.isEmpty()) {
      return false;
    }
    return urgent || pending.size() >= maxOps || pendingBytes >= MAX_BATCH_BYTES
        || now - firstAtNanos >= intervalNanos;
  }

  private void commit(long batchToken, List<Entry> batch) {
    List<ContextOp> ops = new ArrayList<>(batch.size());
    for (Entry e : batch) {
      ops.add(e.op());
    }
    String requestId = UUID.randomUUID().toString();
    long started = System.nanoTime();
    while (true) {
      if (!stillWriter(batchToken)) {
        fail(batch, new WriteFailed(409, "tandem_fenced", "the writer role of token " + batchToken
            + " ended before the write was committed"));
        metrics.dropped(batch.size());
        return;
      }
      try {
        WriteContextResponse r = writer.write(batchToken, ops, requestId);
        lastFlushNanos = System.nanoTime() - started;
        metrics.flushed(batch.size(), lastFlushNanos);
        done(batchToken, batch, r);
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.FAILED_PRECONDITION) {
          metrics.refusedFlush();
          String msg = e.getStatus().getDescription();
          // the role ends before anyone hears of the refusal
          listener.fenced(batchToken, msg == null ? code.name() : msg);
          discard(batchToken, "the coordinators refused the write under token " + batchToken);
          fail(batch, new WriteFailed(409, "tandem_fenced", "the coordinators refused the write: " + msg));
          return;
        }
        if (code == Status.Code.INVALID_ARGUMENT) {
          log.error("the coordinators refused a context batch of {} ops as malformed (dropped): {}",
              batch.size(), e.getStatus().getDescription());
          metrics.dropped(batch.size());
          fail(batch, new WriteFailed(400, "invalid", String.valueOf(e.getStatus().getDescription())));
          return;
        }
        metrics.failedAttempt();
        for (Entry en : batch) {
          if (en.group() != null && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(2)) {
            en.group().future.completeExceptionally(new WriteFailed(503, "tandem_unavailable",
                "no coordinator majority answered within 2 s (" + code + "); the write may still commit"));
          }
        }
        sleep(RETRY_PAUSE_MS);
      } catch (RuntimeException e) {
        log.warn("context batch of {} ops failed: {}; retrying", batch.size(), e.toString());
        metrics.failedAttempt();
        sleep(RETRY_PAUSE_MS);
      }
    }
  }

  private boolean stillWriter(long batchToken) {
    lock.lock();
    try {
      return !closed && token == batchToken && batchToken > 0;
    } finally {
      lock.unlock();
    }
  }

  private void done(long batchToken, List<Entry> batch, WriteContextResponse r) {
    List<ContextHub.Correction> refused = new ArrayList<>();
    int refusedOps = 0;
    for (int i = 0; i < batch.size(); i++) {
      Entry e = batch.get(i);
      ContextOpResult res = i < r.getResultsCount() ? r.getResults(i)
          : ContextOpResult.newBuilder().setOutcome(Outcome.OK).build();
      if (res.getOutcome() != Outcome.OK) {
        refusedOps++;
      }
      if (e.group() != null) {
        SyncGroup g = e.group();
        g.results[e.index()] = res;
        g.version = Math.max(g.version, r.getVersion());
        if (--g.left == 0) {
          g.future.complete(new SyncResult(g.version, List.of(g.results)));
        }
      } else if (res.getOutcome() != Outcome.OK) {
        refused.add(new ContextHub.Correction(e.op().getScope(), e.op().getKey(), res.getMessage(),
            r.getVersion()));
      }
    }
    metrics.refusedOps(refusedOps);
    lock.lock();
    try {
      lastVersion = Math.max(lastVersion, r.getVersion());
    } finally {
      lock.unlock();
    }
    listener.committed(batchToken, r.getVersion(), refused);
  }

  private static void fail(List<Entry> batch, WriteFailed f) {
    for (Entry e : batch) {
      if (e.group() != null) {
        e.group().future.completeExceptionally(f);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
