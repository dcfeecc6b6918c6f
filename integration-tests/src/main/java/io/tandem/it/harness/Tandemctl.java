package io.tandem.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real admin CLI, bin/tandemctl, against a cluster (bounded in time). */
public final class Tandemctl {
  private Tandemctl() {}

  public record Result(int exitCode, String output) {}

  public static Result run(String coordinatorsCsv, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Repo.launcher("tandemctl").toString(), "--coordinators", coordinatorsCsv));
    // a harness cluster runs with mutual TLS: tandemctl uses its admin certificate
    HarnessCerts certs = HarnessCerts.forCoordinators(coordinatorsCsv);
    cmd.addAll(certs == null ? List.of("--insecure") : certs.ctlArgs());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[][] out = new byte[1][];
      Thread reader = new Thread(() -> {
        try {
          out[0] = p.getInputStream().readAllBytes();
        } catch (IOException e) {
          out[0] = ("(cannot read output: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
      }, "tandemctl-output");
      reader.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessRegistry.killTree(p.toHandle());
        throw new HarnessException("tandemctl " + String.join(" ", args) + " did not finish within " + timeout.toSeconds() + " s");
      }
      reader.join(5000);
      return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new HarnessException("cannot run tandemctl", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted", e);
    }
  }
}
