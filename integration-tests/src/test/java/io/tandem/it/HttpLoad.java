package io.tandem.it;

import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** {@code clients} threads sending GETs one after the other, counting answers by status and instance. */
final class HttpLoad {
  private final int clients;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String url;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
  final Map<String, AtomicLong> servedBy = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

  HttpLoad(String url, int clients) {
    this.url = url;
    this.clients = clients;
  }

  void start() {
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(this::loop, "http-client-" + i);
      threads.add(t);
      t.start();
    }
  }

  private void loop() {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    while (running.get()) {
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
        if (r.statusCode() == 200) {
          servedBy.computeIfAbsent(r.body(), k -> new AtomicLong()).incrementAndGet();
        }
      } catch (java.io.IOException e) {
        errors.add(e.toString());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void awaitServedBy(String instance, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!servedBy.containsKey(instance)) {
      if (System.nanoTime() > end) {
        stop();
        fail("no answer from " + instance + " within " + timeout + "; statuses " + statuses + ", errors " + errors.size());
      }
      Thread.sleep(20);
    }
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(15_000);
    }
  }
}
