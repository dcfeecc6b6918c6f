package io.tandem.agent.groupdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.agent.http.AgentSnapshot;
import io.tandem.agent.nodered.NodeRedAdminClient;
import io.tandem.agent.nodered.NodeRedRuntime;
import io.tandem.agent.nodered.RuntimeControlException;
import io.tandem.agent.nodered.RuntimeStatus;
import io.tandem.agent.nodered.UserDirLayout;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.proto.agent.Assignment;
import io.tandem.proto.agent.DeployRequest;
import io.tandem.proto.agent.DeployResponse;
import io.tandem.proto.agent.GetGroupDataRequest;
import io.tandem.proto.agent.GroupDataResponse;
import io.tandem.proto.agent.HeartbeatRequest;
import io.tandem.proto.agent.PutEditorDataRequest;
import io.tandem.proto.agent.RuntimeState;
import io.tandem.proto.state.EditorDataKind;
import io.tandem.proto.state.FlowsRevision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the group's data (DESIGN.md, "The group's data"): what the storage plugin
 * inside Node-RED asks for ({@link StorageEndpoints}), and, on its own thread, following the
 * group's flows revision: on every new revision it fetches it (GetGroupData), writes the local copy
 * atomically and makes the runtime reload it (its flows stay as they are: stopped on a standby).
 * Heartbeats then carry the revision the runtime has loaded, its node modules and its credential
 * key digest; the coordinators decide from them whether this instance is ready to take over.
 * {@code control/Decide} still decides alone when flows start or stop.
 *
 * <p>On the first activation of a group without a revision, the active imports its own flows file
 * once (Deploy with expected revision 0).
 */
public final class GroupData implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupData.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a deploy waits for a coordinator majority before it fails in the editor (below the HTTP idle timeout). */
  static final Duration DEPLOY_BUDGET = Duration.ofSeconds(4);
  private static final Duration READ_BUDGET = Duration.ofSeconds(3);
  private static final Duration DEPLOY_ATTEMPT = Duration.ofSeconds(2);
  private static final Duration RESOLVE_BUDGET = Duration.ofMillis(400);
  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration NODES_TIMEOUT = Duration.ofSeconds(2);
  /** A deploy's own module refresh: with DEPLOY_BUDGET it stays below the agent's 5 s HTTP idle timeout. */
  private static final Duration DEPLOY_NODES_TIMEOUT = Duration.ofMillis(500);
  private static final long MODULES_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final String group;
  private final String instance;
  private final UserDirLayout layout;
  private final NodeRedRuntime runtime;
  private final Supplier<AgentSnapshot> snapshot;
  private final LocalCopy copy;
  private final GroupDataClient deploys;
  private final GroupDataClient reads;
  private final GroupDataClient resolves;
  private final StorageEndpoints endpoints;
  private final Thread thread;

  /**
   * Deploys in flight: the follower does not reload meanwhile (the deploy's own revision would
   * look new). No lock is shared between the two: a deploy runs inside Node-RED's flows mutex,
   * which a reload needs too, so a deploy that waited for a reload would deadlock with it.
   */
  private final AtomicInteger deploysInFlight = new AtomicInteger();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private boolean signalled;
  private volatile boolean running = true;

  private volatile long groupRevision = -1;   // from the last assignment; -1 unknown
  private volatile String assignedActive = "";
  private volatile long assignedToken;
  private volatile boolean allActive;
  private volatile long served = -1;          // revision last handed to the runtime by getFlows
  private volatile long servedGeneration = -1; // the runtime generation (process) it was handed to
  private volatile boolean reloading;
  private volatile String credentialKeyDigest = "";
  private volatile List<String> modules = List.of();
  private volatile String notReadyDetail = "";
  private volatile Path flowFile;
  private volatile Path credentialsFile;
  private long importedForToken;
  private long lastGeneration = -1;
  private volatile long modulesAt;

  public GroupData(String group, String instance, UserDirLayout layout, NodeRedRuntime runtime,
      CoordinatorEndpoints coordinators, Duration rpcTimeout, Supplier<AgentSnapshot> snapshot, String agentToken) {
    this.group = group;
    this.instance = instance;
    this.layout = layout;
    this.runtime = runtime;
    this.snapshot = snapshot;
    this.copy = new LocalCopy(layout.currentRevisionFile());
    // A deploy attempt may carry 16 MB that must be replicated and applied before the answer: it
    // gets up to 2 s (a 300 ms heartbeat deadline timed 5 MB deploys out and re-sent them).
    this.deploys = new GroupDataClient(coordinators, max(rpcTimeout, DEPLOY_ATTEMPT), DEPLOY_BUDGET);
    this.reads = new GroupDataClient(coordinators, rpcTimeout, READ_BUDGET);
    // after a timed-out deploy: one quick look at the current revision, so that module refresh +
    // deploy budget + this stay under the 5 s idle timeout of the editor's HTTP request
    this.resolves = new GroupDataClient(coordinators, rpcTimeout, RESOLVE_BUDGET);
    this.endpoints = new StorageEndpoints(this, agentToken);
    this.flowFile = layout.flowsFile();
    this.credentialsFile = layout.userDir().resolve("flows_cred.json");
    this.thread = new Thread(this::run, "tandem-groupdata");
    thread.setDaemon(true);
    runtime.addListener(this::onRuntime);
  }

  /** The HTTP handler of {@code /tandem/storage/} for the agent's local HTTP server. */
  public StorageEndpoints endpoints() {
    return endpoints;
  }

  public void start() {
    thread.start();
  }

  /** A committed assignment (heartbeat reply or watch stream): follow its flows revision. */
  public void onAssignment(Assignment a) {
    if (!a.getExists()) {
      return;
    }
    assignedActive = a.getActive();
    assignedToken = a.getToken();
    allActive = a.getMode() == io.tandem.proto.state.GroupMode.ALL_ACTIVE;
    long before = groupRevision;
    groupRevision = a.getFlowsRevision();
    if (before != groupRevision) {
      wake();
    }
  }

  /** Adds what the coordinators need to judge readiness. */
  public void fill(HeartbeatRequest.Builder b) {
    b.setLoadedRevision(loadedRevision())
        .addAllModules(modules)
        .setCredentialKeyDigest(credentialKeyDigest)
        .setNotReadyDetail(notReadyDetail);
  }

  /** The revision the runtime has loaded: reported only once its load (boot or reload) completed. */
  public long loadedRevision() {
    RuntimeState s = runtime.status().state();
    boolean loaded = s == RuntimeState.RUNTIME_STANDBY || s == RuntimeState.RUNTIME_RUNNING;
    return loaded && !reloading && served > 0 ? served : 0;
  }

  public long groupRevision() {
    return groupRevision;
  }

  public String notReadyDetail() {
    return notReadyDetail;
  }

  private void onRuntime(RuntimeStatus s) {
    // Listeners run on the runtime's event thread, possibly late: the exit of an old process must
    // not erase what its successor has loaded meanwhile.
    if (s.state() == RuntimeState.RUNTIME_DOWN && s.generation() >= servedGeneration) {
      served = -1;
    }
    wake();
  }

  // ---- what the storage plugin asks (StorageEndpoints) ----

  /** getFlows: the local copy (fetched first if the group is known to be ahead of it). */
  JsonNode flowsForRuntime() throws IOException {
    long have = copy.revision();
    if (groupRevision > have) {
      try {
        fetchCurrent();
      } catch (StatusRuntimeException | IOException e) {
        log.warn("cannot fetch flows revision {} for the runtime's load ({}); it gets revision {} now "
            + "and the current one as soon as the coordinators answer", groupRevision, describe(e), have);
      }
    }
    JsonNode doc = copy.read();
    servedGeneration = runtime.status().generation();
    served = doc == null ? 0 : doc.path("revision").asLong(0);
    return doc == null ? JSON.createObjectNode().put("revision", 0) : doc;
  }

  /** What the plugin reports at init and when the runtime's secret appears. */
  void runtimeInfo(JsonNode info) {
    credentialKeyDigest = info.path("credentialKeyDigest").asText("");
    if (info.hasNonNull("flowFile")) {
      flowFile = Path.of(info.get("flowFile").asText());
    }
    if (info.hasNonNull("credentialsFile")) {
      credentialsFile = Path.of(info.get("credentialsFile").asText());
    }
  }

  /**
   * saveFlows: one deploy (flows and credentials) under this instance's token, on top of the
   * revision the runtime runs. Two records of it exist and each can only lag: the storage plugin's
   * ({@code baseRevision}, absent from older plugins) lags after a first import, which makes the
   * runtime's own flows a revision without reloading them; this agent's lags when the plugin read
   * the local copy itself because the agent did not answer in time, or when a restart noticed late
   * reset it. The deploy goes on top of the later of the two.
   */
  long deploy(String flowsJson, String credentialsJson, String user, java.util.OptionalLong baseRevision)
      throws StorageException {
    deploysInFlight.incrementAndGet();
    try {
      refreshModules(DEPLOY_NODES_TIMEOUT);
      long token = snapshot.get().token();
      long recorded = Math.max(0, served);
      long expected = Math.max(recorded, baseRevision.orElse(0));
      if (expected != recorded) {
        log.warn("deploy: the runtime's storage plugin says its flows are revision {}, this agent had recorded {}; "
            + "deploying on top of {}", expected, recorded, expected);
      }
      DeployResponse r;
      try {
        r = deploys.deploy(DeployRequest.newBuilder()
            .setGroup(group).setInstance(instance).setToken(token).setExpectedRevision(expected)
            .setFlows(ByteString.copyFromUtf8(flowsJson))
            .setCredentials(ByteString.copyFromUtf8(credentialsJson))
            .setDeployedBy(user == null ? "" : user)  // the coordinator prefixes the instance
            .addAllModules(modules).setCredentialKeyDigest(credentialKeyDigest)
            .setRequestId(UUID.randomUUID().toString()).build());
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
          throw refusal(e, "deploy");
        }
        r = committedAnyway(e, expected, flowsJson, credentialsJson);
      }
      try {
        copy.write(r.getRevision(), flowsJson, credentialsJson);
      } catch (IOException e) {
        log.error("revision {} is committed but the local copy {} cannot be written: {}", r.getRevision(),
            copy.file(), e.getMessage());
      }
      served = r.getRevision();
      log.info("deployed flows revision {} (expected {}, token {}, {} bytes)", r.getRevision(), expected, token,
          flowsJson.length() + credentialsJson.length());
      return r.getRevision();
    } finally {
      deploysInFlight.decrementAndGet();
      wake();
    }
  }

  /**
   * A deploy whose every attempt timed out or found no leader may still have been committed (the
   * entry reached a majority, the answer did not come back in time). Asks for the group's current
   * revision: if it holds exactly these flows and credentials, on top of the expected revision, the
   * deploy succeeded; if it holds something else, it was not committed; if nobody answers, the
   * outcome is unknown, and the editor is told so (never "nothing changed" without knowing it).
   */
  private DeployResponse committedAnyway(StatusRuntimeException failure, long expected, String flowsJson,
      String credentialsJson) throws StorageException {
    String digest = digest(flowsJson, credentialsJson);
    GroupDataResponse now;
    try {
      now = resolves.groupData(GetGroupDataRequest.newBuilder().setGroup(group).setInstance(instance).build());
    } catch (StatusRuntimeException e) {
      throw new StorageException(503, "outcome_unknown", "the coordinators did not answer within "
          + DEPLOY_BUDGET.toSeconds() + " s (" + failure.getStatus().getCode() + "); the deploy may or may not "
          + "have been committed: reload the editor to see the flows the group runs, then deploy again if needed");
    }
    FlowsRevision current = now.getRevision();
    if (now.hasRevision() && current.getRevision() > expected && current.getDigest().equals(digest)) {
      log.info("deploy: the answer timed out but revision {} holds exactly these flows: committed",
          current.getRevision());
      return DeployResponse.newBuilder().setRevision(current.getRevision()).setDigest(digest).build();
    }
    throw new StorageException(503, "no_majority", "no coordinator majority committed the deploy within "
        + DEPLOY_BUDGET.toSeconds() + " s (" + failure.getStatus().getCode() + "); the group's current revision is "
        + (now.hasRevision() ? current.getRevision() : 0) + ", nothing of this deploy was committed");
  }

  /** The coordinators' revision digest: "sha256:" + hex(SHA-256(flows, 0x00, credentials)). */
  static String digest(String flowsJson, String credentialsJson) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(flowsJson.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(credentialsJson.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + java.util.HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Settings, sessions and library of the group, as JSON for the plugin. */
  JsonNode editorData() throws StorageException {
    GroupDataResponse r;
    try {
      r = reads.groupData(GetGroupDataRequest.newBuilder().setGroup(group).setInstance(instance).build());
    } catch (StatusRuntimeException e) {
      throw refusal(e, "read the editor data");
    }
    ObjectNode o = JSON.createObjectNode();
    o.set("settings", parseOrNull(r.getSettings()));
    o.set("sessions", parseOrNull(r.getSessions()));
    ObjectNode lib = o.putObject("library");
    for (Map.Entry<String, ByteString> e : r.getLibraryMap().entrySet()) {
      lib.set(e.getKey(), parseOrNull(e.getValue()));
    }
    return o;
  }

  void putEditorData(EditorDataKind kind, String key, byte[] value) throws StorageException {
    try {
      reads.putEditorData(PutEditorDataRequest.newBuilder().setGroup(group).setInstance(instance)
          .setToken(snapshot.get().token()).setKind(kind).setKey(key == null ? "" : key)
          .setValue(ByteString.copyFrom(value)).build());
    } catch (StatusRuntimeException e) {
      throw refusal(e, "save the " + kind.name().toLowerCase());
    }
  }

  private static JsonNode parseOrNull(ByteString b) {
    if (b.isEmpty()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(b.toStringUtf8());
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  private StorageException refusal(StatusRuntimeException e, String what) {
    String desc = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    return switch (e.getStatus().getCode()) {
      case FAILED_PRECONDITION -> new StorageException(409, "not_active", desc.isEmpty()
          ? "this instance is the standby; the active is " + (assignedActive.isEmpty() ? "none" : assignedActive)
          : desc);
      case ABORTED -> new StorageException(409, "conflict", desc.isEmpty()
          ? "the group's flows changed since this runtime loaded them; reload the editor and deploy again" : desc);
      case INVALID_ARGUMENT -> new StorageException(400, "invalid", desc);
      case PERMISSION_DENIED, UNAUTHENTICATED -> new StorageException(403, "forbidden", desc);
      case UNIMPLEMENTED -> new StorageException(501, "unsupported",
          "the coordinators do not support the group's data yet (upgrade them): " + desc);
      case UNAVAILABLE, DEADLINE_EXCEEDED -> new StorageException(503, "no_majority",
          "no coordinator majority answered within " + DEPLOY_BUDGET.toSeconds() + " s (" + e.getStatus().getCode()
              + (desc.isEmpty() ? "" : ": " + desc) + "); cannot " + what + ", nothing changed");
      default -> new StorageException(500, "error", "cannot " + what + ": " + e.getStatus());
    };
  }

  // ---- following the group's revision ----

  private void wake() {
    signalLock.lock();
    try {
      signalled = true;
      signal.signalAll();
    } finally {
      signalLock.unlock();
    }
  }

  private void run() {
    long backoffMs = 0;
    while (running) {
      awaitSignal(backoffMs > 0 ? backoffMs : 1000);
      if (!running) {
        return;
      }
      try {
        step();
        backoffMs = 0;
      } catch (StatusRuntimeException | IOException | RuntimeControlException e) {
        notReadyDetail = "cannot load flows revision " + groupRevision + ": " + describe(e);
        log.warn("{}; trying again", notReadyDetail);
        backoffMs = Math.min(2000, Math.max(200, backoffMs * 2));
      } catch (RuntimeException e) {
        notReadyDetail = "cannot load flows revision " + groupRevision + ": " + e;
        log.error("following the flows revision failed", e);
        backoffMs = 2000;
      }
    }
  }

  private void awaitSignal(long ms) {
    signalLock.lock();
    try {
      long left = TimeUnit.MILLISECONDS.toNanos(ms);
      while (running && !signalled && left > 0) {
        left = signal.awaitNanos(left);
      }
      signalled = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      signalLock.unlock();
    }
  }

  private void step() throws IOException, RuntimeControlException {
    RuntimeStatus st = runtime.status();
    if (st.state() != RuntimeState.RUNTIME_STANDBY && st.state() != RuntimeState.RUNTIME_RUNNING) {
      return;
    }
    if (deploysInFlight.get() > 0) {
      return; // woken again when it is done
    }
    if (st.generation() != lastGeneration || System.nanoTime() - modulesAt > MODULES_REFRESH_NANOS) {
      lastGeneration = st.generation();
      refreshModules(NODES_TIMEOUT);
    }
    long target = groupRevision;
    if (target < 0) {
      return;
    }
    if (target == 0) {
      notReadyDetail = "";
      maybeImport(st);
      return;
    }
    if (served >= target) {
      notReadyDetail = "";
      return;
    }
    if (copy.revision() < target) {
      fetchCurrent();
    }
    if (deploysInFlight.get() > 0 || served >= groupRevision) {
      return;
    }
    reloading = true;
    try {
      runtime.reloadFlows(RELOAD_TIMEOUT);
    } finally {
      reloading = false;
    }
    notReadyDetail = served >= target ? "" : "the runtime reloaded revision " + served + ", not " + target;
    log.info("Node-RED reloaded flows revision {} (group's current: {}; flows {})", served, groupRevision,
        st.state() == RuntimeState.RUNTIME_RUNNING ? "running" : "stay stopped");
  }

  /** GetGroupData for the current revision, written to the local copy. */
  private void fetchCurrent() throws IOException {
    GroupDataResponse r = reads.groupData(GetGroupDataRequest.newBuilder().setGroup(group).setInstance(instance).build());
    if (!r.hasRevision()) {
      return;
    }
    FlowsRevision rev = r.getRevision();
    if (rev.getRevision() > copy.revision()) {
      copy.write(rev.getRevision(), rev.getFlows().toStringUtf8(), rev.getCredentials().toStringUtf8());
      log.info("fetched flows revision {} ({} bytes, deployed by {})", rev.getRevision(), rev.getSizeBytes(),
          rev.getDeployedBy());
    }
  }

  /**
   * The group has no revision and this instance runs its own flows as the active (all-active: as a
   * member with a live lease; the first import wins, the others follow it): import them once.
   */
  private void maybeImport(RuntimeStatus st) throws IOException {
    long token = assignedToken;
    if (!(instance.equals(assignedActive) || allActive) || token <= 0 || importedForToken == token
        || st.state() != RuntimeState.RUNTIME_RUNNING || snapshot.get().token() != token) {
      return;
    }
    Path flows = flowFile;
    if (!Files.exists(flows)) {
      importedForToken = token;
      log.info("the group has no flows revision and {} does not exist: nothing to import; the first deploy "
          + "creates revision 1", flows);
      return;
    }
    String flowsJson = Files.readString(flows, StandardCharsets.UTF_8);
    Path creds = credentialsFile;
    String credsJson = Files.exists(creds) ? Files.readString(creds, StandardCharsets.UTF_8) : "";
    try {
      JSON.readTree(flowsJson);
      if (!credsJson.isBlank()) {
        JSON.readTree(credsJson);
      }
    } catch (IOException e) {
      importedForToken = token;
      log.error("not importing {} or {}: not valid JSON ({}); fix the file, or import with tandemctl flows import",
          flows, creds, e.getMessage());
      return;
    }
    try {
      DeployResponse r = deploys.deploy(DeployRequest.newBuilder()
          .setGroup(group).setInstance(instance).setToken(token).setExpectedRevision(0)
          .setFlows(ByteString.copyFromUtf8(flowsJson)).setCredentials(ByteString.copyFromUtf8(credsJson))
          .setDeployedBy("first import of " + flows.getFileName())
          .addAllModules(modules).setCredentialKeyDigest(credentialKeyDigest)
          .setRequestId(UUID.randomUUID().toString()).build());
      importedForToken = token;
      copy.write(r.getRevision(), flowsJson, credsJson);
      served = r.getRevision();
      log.info("imported {} as the group's first flows revision {}", flows, r.getRevision());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        throw e;
      }
      importedForToken = token;
      log.warn("first import of {} not committed ({}); following the group's revisions instead", flows,
          describe(e));
    }
  }

  /** GET /nodes: "module@version" of every loaded node module except Node-RED's own. */
  private void refreshModules(Duration timeout) {
    NodeRedAdminClient c = runtime.adminClient();
    if (c == null) {
      return;
    }
    try {
      JsonNode sets = c.getNodes(timeout);
      TreeSet<String> found = new TreeSet<>();
      for (JsonNode set : sets) {
        String module = set.path("module").asText("");
        boolean enabled = set.path("enabled").asBoolean(true);
        if (!module.isEmpty() && !"node-red".equals(module) && enabled && !set.has("err")) {
          found.add(module + "@" + set.path("version").asText("?"));
        }
      }
      modules = List.copyOf(found);
      modulesAt = System.nanoTime();
    } catch (RuntimeControlException e) {
      log.debug("GET /nodes failed: {}", e.getMessage());
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus().getCode() + (s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription());
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
