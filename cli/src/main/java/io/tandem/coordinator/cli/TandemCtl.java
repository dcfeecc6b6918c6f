package io.tandem.coordinator.cli;

import io.tandem.client.CoordinatorEndpoints;
import io.tandem.common.tls.TlsException;
import io.tandem.common.tls.TlsSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * tandemctl: the admin command line of a Tandem coordinator cluster (bin/tandemctl).
 *
 * <p>Exit codes: 0 success; 1 the coordinator refused the request (unknown group, invalid
 * argument, stale token, failed precondition, ...); 2 bad usage, or no coordinator answered.
 */
@Command(
    name = "tandemctl",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT, // --help and --version on every command too
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Administer a Tandem coordinator cluster (Node-RED hot-spare failover).",
    footerHeading = "%n",
    footer = {
      "Environment:",
      "  " + TandemCtl.ENV_COORDINATORS + "  coordinators to use when --coordinators is not given",
      "  TANDEM_CA, TANDEM_CERT, TANDEM_KEY  TLS files when --ca, --cert, --key are not given",
      "Exit codes:",
      "  0  success",
      "  1  the coordinator refused the request (e.g. unknown group, invalid argument)",
      "  2  bad usage, or no coordinator answered in time"
    })
public final class TandemCtl implements Runnable {
  /** The commands, in the order of the usage help. */
  static final List<Class<?>> COMMANDS = List.of(
      StatusCommand.class,
      GroupCommand.class,
      InstanceCommand.class,
      SwitchoverCommand.class,
      RestartCommand.class,
      MaintenanceCommand.class,
      HistoryCommand.class,
      LocksCommand.class,
      FlowsCommand.class,
      ContextCommand.class,
      WatchCommand.class,
      MembersCommand.class,
      CertsCommand.class,
      CommandLine.HelpCommand.class);

  static final String ENV_COORDINATORS = "TANDEM_COORDINATORS";
  static final String ENV_CA = "TANDEM_CA";
  static final String ENV_CERT = "TANDEM_CERT";
  static final String ENV_KEY = "TANDEM_KEY";
  static final String DEFAULT_COORDINATORS = "127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103";

  /** Held so the level set in main() is not lost when the logger is garbage collected. */
  private static final Logger GRPC_LOGGER = Logger.getLogger("io.grpc");

  @Option(
      names = "--coordinators",
      paramLabel = "HOST:PORT,...",
      scope = ScopeType.INHERIT,
      description = {
        "Coordinator gRPC addresses (any of them; the leader is found).",
        "Default: $" + ENV_COORDINATORS + ", else " + DEFAULT_COORDINATORS
      })
  String coordinators;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      scope = ScopeType.INHERIT,
      description = "Total time for one request, retries included (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--attempt-timeout",
      paramLabel = "DURATION",
      defaultValue = "500ms",
      converter = DurationConverter.class,
      scope = ScopeType.INHERIT,
      description = "Deadline of one attempt at one coordinator (default: ${DEFAULT-VALUE}).")
  Duration attemptTimeout;

  @Option(names = "--ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "CA certificate(s) to trust (default: $" + ENV_CA + ").")
  Path ca;

  @Option(names = "--cert", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Your certificate, admin or viewer (default: $" + ENV_CERT + ").")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Its private key (default: $" + ENV_KEY + ").")
  Path key;

  @Option(names = "--insecure", scope = ScopeType.INHERIT,
      description = "Plaintext, for coordinators running with tls.insecure: true.")
  boolean insecure;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print JSON for scripts instead of tables.")
  boolean json;

  private final Map<String, String> env;

  public TandemCtl() {
    this(System.getenv());
  }

  /** For tests: the environment to read {@value #ENV_COORDINATORS} from. */
  TandemCtl(Map<String, String> env) {
    this.env = env;
  }

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing command (try: tandemctl status)");
  }

  /** The coordinator list: the flag, else the environment variable, else the local default. */
  String coordinatorList() {
    if (coordinators != null) {
      return coordinators;
    }
    String fromEnv = env.get(ENV_COORDINATORS);
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_COORDINATORS : fromEnv;
  }

  /** The TLS files: flags, else the environment; or plaintext with --insecure. */
  TlsSettings tls() {
    if (insecure) {
      return TlsSettings.plaintext();
    }
    Path c = ca != null ? ca : envPath(ENV_CA);
    Path crt = cert != null ? cert : envPath(ENV_CERT);
    Path k = key != null ? key : envPath(ENV_KEY);
    if (c == null || crt == null || k == null) {
      throw new CtlException(CtlException.UNREACHABLE, "no TLS files: give --ca, --cert and --key (or "
          + ENV_CA + ", " + ENV_CERT + ", " + ENV_KEY + "), e.g. an admin certificate from tandemctl certs issue"
          + " --role admin; or --insecure for coordinators with tls.insecure: true");
    }
    for (Path f : new Path[] {c, crt, k}) {
      if (!Files.isReadable(f)) {
        throw new CtlException(CtlException.UNREACHABLE, f + ": no such file, or not readable");
      }
    }
    return TlsSettings.files(c, crt, k);
  }

  private Path envPath(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : Path.of(v);
  }

  AdminClient connect() {
    CoordinatorEndpoints endpoints;
    TlsSettings tls = tls();
    try {
      endpoints = CoordinatorEndpoints.forShortLivedProcess(coordinatorList(), tls);
    } catch (IllegalArgumentException e) {
      throw new CtlException(CtlException.UNREACHABLE, "bad coordinator list: " + e.getMessage());
    } catch (TlsException e) {
      throw new CtlException(CtlException.UNREACHABLE, e.getMessage());
    }
    return new AdminClient(endpoints, timeout, attemptTimeout);
  }

  /** A command line with every command, whose output goes to {@code out} and {@code err}. */
  public static CommandLine commandLine(TandemCtl ctl, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(ctl);
    COMMANDS.forEach(cl::addSubcommand);
    return withOutput(cl, out, err);
  }

  /**
   * A command line for {@code args}: with only the command they name, when they name one (picocli
   * reflects over every command it is given, a good part of tandemctl's start-up), else with all
   * (usage, {@code help}, an unknown or a missing command).
   */
  public static CommandLine commandLine(TandemCtl ctl, PrintWriter out, PrintWriter err, String[] args) {
    CommandLine cl = new CommandLine(ctl);
    Optional<Class<?>> only = commandWord(cl.getCommandSpec(), args).flatMap(TandemCtl::command);
    if (only.isPresent() && only.get() != CommandLine.HelpCommand.class) {
      cl.addSubcommand(only.get());
    } else {
      COMMANDS.forEach(cl::addSubcommand);
    }
    return withOutput(cl, out, err);
  }

  /** Sets output and failure handling on {@code cl} and its commands (so: once they are added). */
  private static CommandLine withOutput(CommandLine cl, PrintWriter out, PrintWriter err) {
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(TandemCtl::onFailure);
    return cl;
  }

  /**
   * The first argument that is neither a global option nor its value: the command's name, as
   * picocli will read it. Empty when an unknown option or {@code --} comes first.
   */
  static Optional<String> commandWord(CommandSpec root, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("-")) {
        return Optional.of(a);
      }
      if (a.startsWith("--") && a.contains("=")) {
        continue;
      }
      OptionSpec o = root.findOption(a);
      if (o == null) {
        return Optional.empty();
      }
      if (o.arity().max > 0) {
        i++; // its value
      }
    }
    return Optional.empty();
  }

  private static Optional<Class<?>> command(String name) {
    return COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(name)).findFirst();
  }

  private static int onFailure(Exception e, CommandLine cl, ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof CtlException c) {
      err.println("tandemctl: " + c.getMessage());
      err.flush();
      return c.exitCode();
    }
    err.println("tandemctl: unexpected error: " + e);
    err.flush();
    return CtlException.REFUSED;
  }

  /**
   * Netty (inside grpc-netty-shaded) otherwise registers JFR events for its buffer allocator at
   * the first connection, which starts JFR's metadata machinery: about 110 ms of CPU in a
   * command that lives for well under a second (docs/cli.md, "Start-up time").
   */
  static final String NETTY_JFR = "io.grpc.netty.shaded.io.netty.jfr.enabled";

  public static void main(String[] args) {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    GRPC_LOGGER.setLevel(Level.SEVERE);
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLine(new TandemCtl(), out, err, args).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
