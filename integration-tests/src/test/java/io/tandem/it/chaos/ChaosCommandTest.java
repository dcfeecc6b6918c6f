package io.tandem.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ChaosCommandTest {
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new ChaosCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void helpNamesTheOptionsAndTheSummaryLine() {
    String[] r = run("--help");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("--minutes", "--seed", "--instances", "summary faults=N activations=N violations=N seed=S");
  }

  @Test
  void rejectsBadArgumentsBeforeStartingAnything() {
    assertThat(run("--minutes", "0")[2]).contains("--minutes must be at least 1");
    assertThat(run("--instances", "a")[2]).contains("at least two instances");
    assertThat(run("--seed", "x")[2]).contains("--seed");
  }
}
