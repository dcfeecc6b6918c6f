package io.tandem.it.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** libfaketime really changes the rate of the JVM's and Node's monotonic clocks and timers. */
class ClockFaultTest {
  private static final long INTERVAL_MS = 2000;
  private static final String NODE_CLOCK =
      "const rl=require('readline').createInterface({input:process.stdin});let n0=null,w0=0;"
          + "console.log('ready');rl.on('line',()=>{const n=process.hrtime.bigint(),w=Date.now();"
          + "if(n0===null){n0=n;w0=w}console.log('elapsed '+Math.floor(Number(n-n0)/1e6)+' '+(w-w0))});";

  private static List<String> javaClock() {
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(java, "-cp", System.getProperty("java.class.path"), ElapsedClock.class.getName());
  }

  private static List<String> nodeClock() {
    return List.of("node", "-e", NODE_CLOCK);
  }

  /** Child's monotonic ms over a real interval of INTERVAL_MS, divided by that interval; also wall. */
  private static double[] measuredRates(List<String> command, ClockFault fault) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    if (fault != null) {
      fault.applyTo(pb);
    }
    Process p = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Writer in = p.outputWriter();
      assertThat(out.readLine()).isEqualTo("ready");
      long t0 = System.nanoTime();
      in.write("mark\n");
      in.flush();
      assertThat(out.readLine()).startsWith("elapsed 0 ");
      Thread.sleep(INTERVAL_MS - (System.nanoTime() - t0) / 1_000_000);
      long real = (System.nanoTime() - t0) / 1_000_000;
      in.write("mark\n");
      in.flush();
      String[] parts = out.readLine().split(" ");
      return new double[] {Long.parseLong(parts[1]) / (double) real, Long.parseLong(parts[2]) / (double) real};
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void specAndEnvironment() {
    ClockFault f = new ClockFault(1.005);
    assertThat(f.spec()).isEqualTo("+0 x1.005");
    assertThat(f.environment())
        .containsEntry("FAKETIME", "+0 x1.005")
        .containsEntry("FAKETIME_DONT_FAKE_MONOTONIC", "0")
        .containsKey("LD_PRELOAD");
    assertThat(Path.of(f.environment().get("LD_PRELOAD"))).exists();
    assertThat(f.wrap(List.of("node", "x.js"))).startsWith("env").endsWith("node", "x.js");
    assertThatThrownBy(() -> new ClockFault(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jvmNanoTimeAndWallClockRunAtTheFakedRate() throws Exception {
    double[] fast = measuredRates(javaClock(), new ClockFault(2));
    assertThat(fast[0]).isBetween(1.5, 2.5);
    assertThat(fast[1]).isBetween(1.5, 2.5);
    double[] slow = measuredRates(javaClock(), new ClockFault(0.5));
    assertThat(slow[0]).isBetween(0.3, 0.7);
  }

  @Test
  void nodeHrtimeRunsAtTheFakedRate() throws Exception {
    assertThat(measuredRates(nodeClock(), new ClockFault(2))[0]).isBetween(1.5, 2.5);
    assertThat(measuredRates(nodeClock(), new ClockFault(0.5))[0]).isBetween(0.3, 0.7);
  }

  @Test
  void ratesWithinTheDriftBoundRunNormally() throws Exception {
    assertThat(measuredRates(javaClock(), new ClockFault(1.005))[0]).isBetween(0.85, 1.15);
    assertThat(measuredRates(nodeClock(), new ClockFault(0.995))[0]).isBetween(0.85, 1.15);
  }

  @Test
  void timersAreScaledToo() throws Exception {
    // a slow clock (x0.5) makes a 1 s timer fire after about 2 s of real time
    ProcessBuilder pb = new ProcessBuilder("node", "-e", "setTimeout(()=>console.log('fired'),1000)");
    new ClockFault(0.5).applyTo(pb).redirectError(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("fired");
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1600);
    } finally {
      p.destroyForcibly();
    }
  }
}
