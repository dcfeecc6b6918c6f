package io.tandem.it.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A subscriber (Eclipse Paho) recording every message of one topic with its arrival on this JVM's
 * monotonic clock; payloads are "INSTANCE SEQ".
 */
public final class MqttRecorder implements AutoCloseable {
  /** One message as it arrived. */
  public record Arrival(long nanos, long wallMillis, String instance, long seq) {}

  private final List<Arrival> arrivals = new ArrayList<>();
  private final MqttClient client;

  public MqttRecorder(String brokerUrl, String topic) throws MqttException {
    client = new MqttClient(brokerUrl, "tandem-bench-recorder", new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        System.out.println("MQTT recorder: connection lost: " + cause);
      }

      @Override
      public void messageArrived(String t, MqttMessage m) {
        long now = System.nanoTime();
        String[] p = new String(m.getPayload(), java.nio.charset.StandardCharsets.UTF_8).split(" ", 2);
        long seq = p.length == 2 && p[1].matches("\\d+") ? Long.parseLong(p[1]) : -1;
        synchronized (arrivals) {
          arrivals.add(new Arrival(now, System.currentTimeMillis(), p[0], seq));
          arrivals.notifyAll();
        }
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setAutomaticReconnect(false);
    o.setConnectionTimeout(5);
    client.connect(o);
    client.subscribe(topic, 0);
  }

  public int size() {
    synchronized (arrivals) {
      return arrivals.size();
    }
  }

  public List<Arrival> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  /** The first arrival at or after index {@code from} matching {@code p}, waiting up to {@code timeoutMillis}. */
  public Optional<Arrival> await(int from, Predicate<Arrival> p, long timeoutMillis) throws InterruptedException {
    long end = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (arrivals) {
      int i = from;
      while (true) {
        for (; i < arrivals.size(); i++) {
          if (p.test(arrivals.get(i))) {
            return Optional.of(arrivals.get(i));
          }
        }
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return Optional.empty();
        }
        arrivals.wait(left);
      }
    }
  }

  @Override
  public void close() {
    try {
      client.disconnectForcibly(500, 500);
      client.close();
    } catch (MqttException e) {
      System.out.println("MQTT recorder: close: " + e.getMessage());
    }
  }
}
