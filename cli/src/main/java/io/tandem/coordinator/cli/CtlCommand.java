package io.tandem.coordinator.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A tandemctl subcommand that talks to the coordinators. */
abstract class CtlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  TandemCtl root() {
    return (TandemCtl) spec.root().userObject();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return root().json;
  }

  @Override
  public final Integer call() {
    try (AdminClient client = root().connect()) {
      return run(client);
    }
  }

  /** Does the work; returns the exit code (failures throw {@link CtlException}). */
  abstract int run(AdminClient client);
}
