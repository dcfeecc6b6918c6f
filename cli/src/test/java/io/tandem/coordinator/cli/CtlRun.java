package io.tandem.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs tandemctl in this JVM with captured output: {@code CtlRun.of(args...)}. */
record CtlRun(int exitCode, String out, String err) {
  static CtlRun of(String... args) {
    return withEnv(Map.of(), args);
  }

  static CtlRun withEnv(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // The in-JVM test coordinators are plaintext (TLS tests pass their own --ca/--cert/--key).
    boolean tls = env.containsKey(TandemCtl.ENV_CA) || List.of(args).contains("--ca")
        || List.of(args).contains("--insecure") || (args.length > 0 && args[0].equals("certs"));
    if (!tls) {
      List<String> all = new ArrayList<>(List.of("--insecure"));
      all.addAll(List.of(args));
      args = all.toArray(String[]::new);
    }
    int code =
        TandemCtl.commandLine(new TandemCtl(env), new PrintWriter(out, true), new PrintWriter(err, true), args)
            .execute(args);
    return new CtlRun(code, out.toString(), err.toString());
  }

  /** tandemctl --coordinators ADDRESSES ARGS... */
  static CtlRun at(String addresses, String... args) {
    List<String> all = new ArrayList<>(List.of("--coordinators", addresses));
    all.addAll(List.of(args));
    return of(all.toArray(String[]::new));
  }

  JsonNode json() {
    try {
      return new ObjectMapper().readTree(out);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
    }
  }

  List<String> outLines() {
    return out.isEmpty() ? List.of() : List.of(out.split("\\R"));
  }

  List<String> errLines() {
    return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
