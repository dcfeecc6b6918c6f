package io.tandem.it.witness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A downstream system that checks fencing tokens, as a real one should: {@code GET /call?instance=I&token=T}
 * is accepted (200) if T is higher than every token accepted so far, or equal to it and from the same
 * instance that was accepted with it; otherwise refused with 409. A call without a token (T &lt;= 0) is
 * refused. With {@code checkTokens=false} every call is accepted (the baseline without Tandem).
 * Every call is recorded in memory and appended to a log file (see {@link WitnessCall#toLine()}).
 *
 * <p>A call may name a lock key ({@code &key=K}): the rule above then holds per key (the last
 * (instance, token) accepted for K), and the witness also records, per key, every
 * {@link Overlap} (two instances acting for one key within one {@code overlapInterval}) and every
 * stale token (lower than one already seen for the key: the calls it refuses, or would refuse with
 * {@code checkTokens=false}).
 */
public final class Witness implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final BufferedWriter log;
  private final boolean checkTokens;
  private final List<WitnessCall> calls = new ArrayList<>();
  private final Map<String, KeyState> keys = new HashMap<>();
  private final long overlapNanos;
  private final List<Overlap> overlaps = new ArrayList<>();
  private final List<WitnessCall> stale = new ArrayList<>();
  /** instance@token of each accepted activation: the flows marker of its first accepted call ("" none). */
  private final Map<String, String> firstFlows = new java.util.LinkedHashMap<>();

  /** Within this interval, an instance acting again after another one acted for the same key is an overlap. */
  public static final java.time.Duration DEFAULT_OVERLAP_INTERVAL = java.time.Duration.ofSeconds(1);

  /**
   * Two instances acted for one key at once: {@code instance} acted at {@code at}, {@code other}
   * acted after {@code instance}'s previous call for the key, and both of {@code instance}'s calls
   * lie within one overlap interval.
   */
  public record Overlap(String key, String instance, String other, WitnessCall at) {
    @Override
    public String toString() {
      return "key " + (key.isEmpty() ? "(none)" : key) + ": " + instance + " and " + other + " acted at once; "
          + at.toLine();
    }
  }

  /** Per key: the highest token accepted and its holder, and every instance's last accepted call. */
  private static final class KeyState {
    long highest;
    String holder;
    final Map<String, Long> lastAccepted = new HashMap<>();
  }

  public Witness(Path logFile, boolean checkTokens) {
    this(logFile, checkTokens, DEFAULT_OVERLAP_INTERVAL);
  }

  public Witness(Path logFile, boolean checkTokens, java.time.Duration overlapInterval) {
    this.checkTokens = checkTokens;
    this.overlapNanos = overlapInterval.toNanos();
    try {
      this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the witness", e);
    }
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "witness-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/call", this::handle);
    server.start();
  }

  /** The URL flows call, e.g. http://127.0.0.1:PORT/call */
  public String callUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/call";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      String instance = q.getOrDefault("instance", "").isBlank() ? "unknown" : q.get("instance").replace(' ', '_');
      long token;
      try {
        token = Long.parseLong(q.getOrDefault("token", "0"));
      } catch (NumberFormatException e) {
        token = 0;
      }
      boolean ok = decide(q.getOrDefault("key", ""), instance, token,
          q.getOrDefault(io.tandem.it.flows.WitnessFlow.FLOWS_PARAM, ""));
      byte[] body = (ok ? "ok\n" : "stale token\n").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ok ? 200 : 409, body.length);
      ex.getResponseBody().write(body);
    }
  }

  /** Decides and records one call; public so the checker's tests and tools can feed it directly. */
  public synchronized boolean decide(String instance, long token) {
    return decide(instance, token, "");
  }

  /** As {@link #decide(String, long)}, for a call that names the flows it runs ({@code flows}, "" none). */
  public synchronized boolean decide(String instance, long token, String flows) {
    return decide("", instance, token, flows);
  }

  /** A call acting under lock {@code key} ("" none), decided by the rule of that key alone. */
  public synchronized boolean decideKeyed(String key, String instance, long token) {
    return decide(key, instance, token, "");
  }

  private synchronized boolean decide(String key, String instance, long token, String flows) {
    KeyState k = keys.computeIfAbsent(key, x -> new KeyState());
    boolean valid = token > 0 && token >= k.highest && (token > k.highest || instance.equals(k.holder));
    boolean ok = !checkTokens || valid;
    if (valid && token > k.highest) {
      k.highest = token;
      k.holder = instance;
    }
    WitnessCall c = new WitnessCall(calls.size(), System.nanoTime(), System.currentTimeMillis(), instance, token, ok,
        key);
    calls.add(c);
    if (token > 0 && token < k.highest) {
      stale.add(c);
    }
    if (ok) {
      Long mine = k.lastAccepted.get(instance);
      if (mine != null && c.nanos() - mine < overlapNanos) {
        k.lastAccepted.forEach((other, at) -> {
          if (!other.equals(instance) && at > mine) {
            overlaps.add(new Overlap(key, instance, other, c));
          }
        });
      }
      k.lastAccepted.put(instance, c.nanos());
    }
    try {
      log.write(c.toLine());
      log.newLine();
      log.flush();
    } catch (IOException e) {
      // the in-memory history stays complete; the file is for people
    }
    if (ok) {
      firstFlows.putIfAbsent(instance + "@" + token, flows);
    }
    notifyAll();
    return ok;
  }

  /** Every overlap so far (see {@link Overlap}), in the order seen. */
  public synchronized List<Overlap> overlaps() {
    return List.copyOf(overlaps);
  }

  /** Every call whose token was lower than one already seen for its key, in the order seen. */
  public synchronized List<WitnessCall> staleTokens() {
    return List.copyOf(stale);
  }

  /**
   * For each accepted activation, "instance@token", the flows marker its first accepted call named
   * ("" for flows without one): which deployed flows the activation started with.
   */
  public synchronized Map<String, String> flowsAtActivation() {
    return Map.copyOf(firstFlows);
  }

  /** A copy of every call so far, in decision order. */
  public synchronized List<WitnessCall> calls() {
    return List.copyOf(calls);
  }

  /** A copy of the calls from position {@code from} on. */
  public synchronized List<WitnessCall> callsSince(int from) {
    return List.copyOf(calls.subList(Math.max(0, Math.min(from, calls.size())), calls.size()));
  }

  public synchronized int size() {
    return calls.size();
  }

  /** The first call at or after position {@code fromSeq} matching {@code p}, waiting up to {@code timeoutMillis}. */
  public synchronized Optional<WitnessCall> await(long fromSeq, Predicate<WitnessCall> p, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    int i = (int) Math.max(0, fromSeq);
    while (true) {
      for (; i < calls.size(); i++) {
        if (p.test(calls.get(i))) {
          return Optional.of(calls.get(i));
        }
      }
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return Optional.empty();
      }
      wait(Math.min(left, 100));
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null) {
      return m;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return m;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    synchronized (this) {
      try {
        log.close();
      } catch (IOException e) {
        // nothing left to do
      }
    }
  }
}
