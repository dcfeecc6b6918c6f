package io.tandem.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** tandemctl builds only the command its arguments name (start-up time), all for usage and help. */
class OnlyTheNamedCommandTest {
  private static CommandLine forArgs(String... args) {
    PrintWriter w = new PrintWriter(new StringWriter());
    return TandemCtl.commandLine(new TandemCtl(Map.of()), w, w, args);
  }

  @Test
  void theCommandIsFoundAfterGlobalOptionsAndTheirValues() {
    assertThat(forArgs("status").getSubcommands()).containsOnlyKeys("status");
    assertThat(forArgs("--coordinators", "status", "--timeout", "2s", "group", "list").getSubcommands())
        .containsOnlyKeys("group");
    assertThat(forArgs("--timeout=2s", "--insecure", "--json", "watch").getSubcommands()).containsOnlyKeys("watch");
    assertThat(forArgs("--key", "k", "--ca", "c", "--cert", "crt", "--attempt-timeout", "1s", "members", "list")
        .getSubcommands()).containsOnlyKeys("members");
  }

  @Test
  void everyCommandCanBeNamedAlone() {
    for (Class<?> c : TandemCtl.COMMANDS) {
      String name = c.getAnnotation(CommandLine.Command.class).name();
      if (!name.equals("help")) {
        assertThat(forArgs(name).getSubcommands()).as(name).containsOnlyKeys(name);
      }
    }
  }

  @Test
  void usageHelpAndUnknownWordsGetAllCommands() {
    int all = TandemCtl.COMMANDS.size();
    assertThat(forArgs().getSubcommands()).hasSize(all);
    assertThat(forArgs("--help").getSubcommands()).hasSize(all);
    assertThat(forArgs("help", "status").getSubcommands()).hasSize(all);
    assertThat(forArgs("stat").getSubcommands()).hasSize(all); // "did you mean: status"
    assertThat(forArgs("--bogus", "status").getSubcommands()).hasSize(all);
  }

  @Test
  void globalOptionsAfterTheCommandStillWork() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TandemCtl.commandLine(new TandemCtl(Map.of()), new PrintWriter(out, true), new PrintWriter(err, true),
        new String[] {"status", "--insecure", "--coordinators", "127.0.0.1:1", "--timeout", "300ms"})
        .execute("status", "--insecure", "--coordinators", "127.0.0.1:1", "--timeout", "300ms");
    assertThat(code).isEqualTo(CtlException.UNREACHABLE);
    assertThat(err.toString()).contains("no coordinator reachable at 127.0.0.1:1");
  }

  @Test
  void everyCommandAnswersHelpWithItsUsage() {
    // before: "tandemctl status --help" (and certs, group ...) answered "Unknown option: '--help'"
    for (String[] args : new String[][] {{"status", "--help"}, {"certs", "--help"}, {"group", "create", "-h"}}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = TandemCtl.commandLine(new TandemCtl(Map.of()), new PrintWriter(out, true), new PrintWriter(err, true),
          args).execute(args);
      assertThat(code).as(String.join(" ", args)).isZero();
      assertThat(out.toString()).as(String.join(" ", args))
          .startsWith("Usage: tandemctl " + String.join(" ", args).replace(" --help", "").replace(" -h", ""));
      assertThat(err.toString()).doesNotContain("Unknown option");
    }
  }
}
