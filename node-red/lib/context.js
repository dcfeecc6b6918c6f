// Tandem context store for Node-RED (settings.contextStorage.tandem = {module: require(this file), config}).
//
// Flow, global and node context live in the Tandem group (Raft). This store keeps a local in-memory
// copy and serves every read from it. The local agent tells the store whether this runtime is the
// writer (the group's active, running its flows under a live lease) or a replica:
// - as a replica it follows the committed context through GET /tandem/context/changes (long poll)
//   and refuses every write, so a standby can never write;
// - as the writer it applies a write locally at once and queues it; one POST /tandem/context/write is
//   in flight at a time and everything queued meanwhile goes in the next one. The agent commits what
//   it receives as token-fenced ContextWrite entries.
// Handover (the contract in docs/context.md): a `changes` reply with writer:true while a replica means
// "apply this, then write"; the next poll (writer=1&since=V) proves the copy is exactly version V.
// writer:false while the writer means "stop": refuse new writes, deliver every queued one, then poll
// writer=0&since=0, which proves to the agent that everything was delivered, and reload in full.
//
// Values are JSON. Nested keys ("a.b[0]") follow Node-RED's property expressions; the store rewrites
// the whole top-level value. A value over the per-value limit or one JSON cannot encode is refused
// (callback error, or thrown in the synchronous form) and changes nothing.
// module.exports.helpers = {increment, compareAndSet}: atomic updates applied by the coordinators.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const MIB = 1024 * 1024;
const DEFAULT_LIMITS = { maxValueBytes: MIB, maxGroupBytes: 32 * MIB };
const STANDBY_MESSAGE = "this instance is the standby: flows on it do not run and cannot write context";
const WARN_INTERVAL_MS = 10000;
const MAX_POST_OPS = 5000;
const MAX_POST_BYTES = 4 * MIB;

/** Node-RED's scope ("global", a flow id, or "nodeId:flowId") as the group names it. */
function raftScope(scope) {
  if (scope === "global") {
    return "global";
  }
  return String(scope).includes(":") ? "node:" + scope : "flow:" + scope;
}

/** A helper's scope option: a group scope name as is, else a Node-RED scope id. */
function helperScope(scope) {
  if (scope === undefined || scope === "global") {
    return "global";
  }
  if (typeof scope !== "string" || scope.length === 0) {
    throw codedError("scope must be \"global\", \"flow:FLOW_ID\" or \"node:NODE_ID:FLOW_ID\"", "tandem_invalid");
  }
  return /^(flow|node):./.test(scope) ? scope : raftScope(scope);
}

function codedError(message, code) {
  const err = new Error(message);
  err.code = code;
  return err;
}


function formatBytes(n) {
  const one = (x) => (Math.round(x * 10) / 10).toString();
  if (n >= MIB) {
    return one(n / MIB) + " MB";
  }
  if (n >= 1024) {
    return one(n / 1024) + " kB";
  }
  return n + " bytes";
}

// ---- Node-RED property expressions ("a.b[0]", 'a["x y"].c', "a[msg.b]"): Node-RED's own
// @node-red/util resolves them, exactly as its memory and localfilesystem stores do.

let propertyUtil = null;

/** @node-red/util's util object, from the Node-RED that loaded this store (or TANDEM_NODE_RED_DIR). */
function nodeRedUtil() {
  if (propertyUtil) {
    return propertyUtil;
  }
  const tries = [() => require.main.require("@node-red/util"), () => require("@node-red/util")];
  if (process.env.TANDEM_NODE_RED_DIR) {
    tries.push(() => require(path.join(process.env.TANDEM_NODE_RED_DIR, "node_modules", "@node-red", "util")));
  }
  for (const attempt of tries) {
    try {
      propertyUtil = attempt().util;
      if (propertyUtil) {
        return propertyUtil;
      }
    } catch (e) {
      // next place
    }
  }
  throw new Error("Tandem context: @node-red/util cannot be found from the Node-RED that loads this store "
      + "(require.main is " + (require.main && require.main.filename) + "); set TANDEM_NODE_RED_DIR to the "
      + "Node-RED install directory");
}

function hasOwn(obj, key) {
  return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(Object(obj), key);
}

/** Parts of a property expression; a `[msg...]` reference is looked up in `root` (the scope). */
function parsePath(expr, root) {
  return nodeRedUtil().normalisePropertyExpression(String(expr), root);
}

// ---- JSON encoding and limits

/** The JSON text of a value, or a refusal like Node-RED's persistent stores give. */
function encode(scope, key, value) {
  let json;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    if (/circular/i.test(e.message)) {
      throw codedError("Context " + scope + " key \"" + key + "\" contains a circular reference that cannot be "
          + "persisted; nothing was changed", "tandem_not_serialisable");
    }
    throw codedError("Context " + scope + " key \"" + key + "\" cannot be persisted as JSON (" + e.message
        + "); nothing was changed", "tandem_not_serialisable");
  }
  if (json === undefined) {
    throw codedError("Context " + scope + " key \"" + key + "\" cannot be persisted as JSON (a "
        + typeof value + " has no JSON form); nothing was changed", "tandem_not_serialisable");
  }
  return json;
}

function checkSize(limits, scope, key, json) {
  const size = Buffer.byteLength(key, "utf8") + Buffer.byteLength(json, "utf8");
  if (size > limits.maxValueBytes) {
    throw codedError("context value " + scope + "/" + key + " is " + formatBytes(size) + ", over the limit of "
        + formatBytes(limits.maxValueBytes) + " (context.maxValueBytes); nothing was changed", "tandem_too_large");
  }
}

// ---- the store

let currentStore = null;  // the store the helpers work on: the one Node-RED created last

function createContextStore(config) {
  const cfg = Object.assign({ tokenHeader: "x-tandem-token", waitMs: 4000, openTimeoutMs: 5000,
    closeTimeoutMs: 5000 }, config);
  if (!cfg.agentUrl || !cfg.tokenFile) {
    throw new Error("Tandem context: the store's config needs agentUrl (the agent's local HTTP address) and "
        + "tokenFile (the agent's token file)");
  }
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let token = null;

  const data = Object.create(null);   // group scope name -> {key: value}
  let version = 0;
  let writer = false;
  let resync = true;                  // the next poll asks for everything (since=0)
  let limits = Object.assign({}, DEFAULT_LIMITS);
  let standbyMessage = STANDBY_MESSAGE;
  let opened = null;
  let closing = false;
  let closed = null;
  let loopDone = null;
  let poll = null;                    // the long poll in flight: {abort}
  let snapshotCall = null;            // open()'s GET snapshot in flight: {abort}
  let closeDeadline = Infinity;       // close(): after this, undeliverable writes are given up

  // The outbox: async ops and helper requests in order. One POST in flight.
  let queue = [];                     // {op, scope, key?, json?} | {sync: true, ops, resolve, reject}
  let queued = new Map();             // "scope\0key" -> queued async op, for coalescing
  let inFlight = null;                // the items of the POST in flight
  let sending = false;
  let drainWaiters = [];

  const warned = new Map();

  function warn(kind, text) {
    const now = Date.now();
    const w = warned.get(kind) || { at: 0, suppressed: 0 };
    if (now - w.at < WARN_INTERVAL_MS) {
      w.suppressed++;
    } else {
      console.warn("Tandem context: " + text
          + (w.suppressed ? " (" + w.suppressed + " similar warnings suppressed)" : ""));
      w.at = now;
      w.suppressed = 0;
    }
    warned.set(kind, w);
  }

  function readToken() {
    if (token === null) {
      token = fs.readFileSync(cfg.tokenFile, "utf8").trim();
    }
    return token;
  }

  /** One call to the agent: {promise -> {status, body}, abort}. Rejects when the agent does not answer. */
  function call(method, urlPath, payload, timeoutMs) {
    let req = null;
    let aborted = false;
    const promise = new Promise((resolve, reject) => {
      const headers = { Accept: "application/json" };
      try {
        headers[cfg.tokenHeader] = readToken();
      } catch (e) {
        reject(codedError("cannot read the agent's token file " + cfg.tokenFile + ": " + e.message, "tandem_unavailable"));
        return;
      }
      const body = payload === undefined ? null : Buffer.from(payload, "utf8");
      if (body) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = body.length;
      }
      const fail = (e) => {
        const err = codedError(aborted ? "aborted" : "the Tandem agent at " + cfg.agentUrl + " does not answer ("
            + e.message + ")", aborted ? "aborted" : "tandem_unavailable");
        err.reusedSocket = Boolean(req.reusedSocket) && e.code === "ECONNRESET";
        reject(err);
      };
      req = http.request(new URL(urlPath, cfg.agentUrl), { method, headers, agent: httpAgent, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete) {
            fail(new Error("the answer was cut off"));
          }
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed = null;
          try {
            parsed = text.length ? JSON.parse(text) : null;
          } catch (e) {
            parsed = { message: text };
          }
          if (res.statusCode === 401 || res.statusCode === 403) {
            token = null;  // re-read: the agent may have written a new token
          }
          resolve({ status: res.statusCode, body: parsed || {} });
        });
      });
      req.on("timeout", () => req.destroy(new Error("no answer within " + timeoutMs + " ms")));
      req.on("error", fail);
      req.end(body || undefined);
    });
    return { promise, abort: () => { aborted = true; if (req) { req.destroy(); } } };
  }

  /** A call retried once when a kept-alive socket turned out closed (the request never arrived). */
  async function callOnce(method, urlPath, payload, timeoutMs) {
    try {
      return await call(method, urlPath, payload, timeoutMs).promise;
    } catch (e) {
      if (e.reusedSocket) {
        return call(method, urlPath, payload, timeoutMs).promise;
      }
      throw e;
    }
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // ---- local copy

  function scopeOf(name, create) {
    let s = data[name];
    if (!s && create) {
      s = data[name] = Object.create(null);
    }
    return s;
  }

  function applyEffect(op) {
    if (op.scopeDeleted) {
      delete data[op.scope];
    } else if (op.deleted || op.value === undefined) {
      const s = data[op.scope];
      if (s) {
        delete s[op.key];
        if (Object.keys(s).length === 0) {
          delete data[op.scope];
        }
      }
    } else {
      scopeOf(op.scope, true)[op.key] = op.value;
    }
  }

  function replaceAll(full) {
    for (const name of Object.keys(data)) {
      delete data[name];
    }
    for (const name of Object.keys(full || {})) {
      for (const key of Object.keys(full[name] || {})) {
        scopeOf(name, true)[key] = full[name][key];
      }
    }
  }

  // ---- the outbox

  function enqueueOp(op) {
    const id = op.op === "deleteScope" ? null : op.scope + "\u0000" + op.key;
    const earlier = id === null ? undefined : queued.get(id);
    if (earlier) {
      earlier.op = op.op;          // the later write of the same key replaces the queued one
      earlier.json = op.json;
    } else {
      queue.push(op);
      if (id !== null) {
        queued.set(id, op);
      }
    }
    pump();
  }

  function enqueueSync(ops) {
    return new Promise((resolve, reject) => {
      queue.push({ sync: true, ops, resolve, reject });
      queued = new Map();          // a later write never jumps over an atomic update
      pump();
    });
  }

  function opJson(op) {
    const head = "{\"op\":\"" + op.op + "\",\"scope\":" + JSON.stringify(op.scope);
    if (op.op === "deleteScope") {
      return head + "}";
    }
    const key = ",\"key\":" + JSON.stringify(op.key);
    if (op.op === "delete") {
      return head + key + "}";
    }
    if (op.op === "increment") {
      return head + key + ",\"delta\":" + JSON.stringify(op.delta) + "}";
    }
    if (op.op === "cas") {
      return head + key + ",\"hasExpected\":" + op.hasExpected
          + (op.hasExpected ? ",\"expected\":" + op.expectedJson : "") + ",\"value\":" + op.json + "}";
    }
    return head + key + ",\"value\":" + op.json + "}";
  }

  /** The next POST: a helper request alone, or the async ops at the head of the queue. */
  function takeBatch() {
    if (queue[0].sync) {
      return [queue.shift()];
    }
    const batch = [];
    let bytes = 0;
    while (queue.length > 0 && !queue[0].sync && batch.length < MAX_POST_OPS
        && (batch.length === 0 || bytes < MAX_POST_BYTES)) {
      const op = queue.shift();
      const id = op.scope + "\u0000" + op.key;
      if (queued.get(id) === op) {
        queued.delete(id);
      }
      op.text = opJson(op);
      bytes += op.text.length;
      batch.push(op);
    }
    return batch;
  }

  function pump() {
    if (sending) {
      return;
    }
    if (queue.length === 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      waiters.forEach((w) => w());
      return;
    }
    sending = true;
    inFlight = takeBatch();
    send(inFlight).catch((e) => warn("bug", "unexpected error while sending writes: " + e.stack)).then(() => {
      inFlight = null;
      sending = false;
      pump();
    });
  }

  async function send(batch) {
    const item = batch[0];
    const payload = item.sync
      ? "{\"ops\":[" + item.ops.map(opJson).join(",") + "],\"sync\":true}"
      : "{\"ops\":[" + batch.map((op) => op.text).join(",") + "],\"sync\":false}";
    let delay = 100;
    for (;;) {
      let res;
      try {
        res = await callOnce("POST", "/tandem/context/write", payload, 30000);
      } catch (e) {
        if (item.sync) {
          item.reject(e);
          return;
        }
        if (closing && Date.now() > closeDeadline) {
          warn("lost", batch.length + " context writes not delivered at close: " + e.message);
          return;
        }
        warn("post", "writes not delivered yet, retrying: " + e.message);
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      if (res.status === 401 || res.status === 403 || (res.status >= 500 && !item.sync)) {
        if (closing && Date.now() > closeDeadline) {
          warn("lost", batch.length + " context writes not delivered at close: HTTP " + res.status);
          return;
        }
        warn("post", "writes not accepted yet (HTTP " + res.status + ": " + res.body.message + "), retrying");
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      if (res.status === 409) {
        refusedAsStandby(res.body, batch);
        return;
      }
      if (item.sync) {
        settleSync(item, res);
      } else if (res.status < 200 || res.status > 299) {
        warn("refused", batch.length + " context writes refused by the agent (HTTP " + res.status + ": "
            + res.body.message + ")");
      }
      return;
    }
  }

  /** 409: this runtime is not (or no longer) the writer. Queued writes are dropped: its flows are stopping. */
  function refusedAsStandby(body, batch) {
    standbyMessage = body.message || STANDBY_MESSAGE;
    const dropped = queue;
    queue = [];
    queued = new Map();
    const err = codedError(standbyMessage, body.code || "tandem_standby");
    let count = 0;
    for (const item of batch.concat(dropped)) {
      if (item.sync) {
        item.reject(err);
      } else {
        count++;
      }
    }
    if (count > 0) {
      warn("standby", count + " context writes dropped: " + standbyMessage);
    }
    if (writer) {
      writer = false;
      resync = true;
      if (poll) {
        poll.abort();  // re-poll at once as a replica
      }
    }
  }

  function settleSync(item, res) {
    if (res.status !== 200 || !res.body || !Array.isArray(res.body.results)) {
      const code = res.body && res.body.code
          || (res.status === 400 ? "tandem_invalid" : res.status === 413 ? "tandem_too_large" : "tandem_unavailable");
      item.reject(codedError((res.body && res.body.message) || "HTTP " + res.status, code));
      return;
    }
    item.resolve(res.body.results);
  }

  function drain() {
    if (!sending && queue.length === 0) {
      return Promise.resolve();
    }
    return new Promise((r) => drainWaiters.push(r));
  }

  /** True when a write of scope/key is queued or in flight (it decides the committed value, not an older one). */
  function pendingWrite(scope, key) {
    const touches = (item) => !item.sync && item.scope === scope && (item.op === "deleteScope" || item.key === key);
    return queue.some(touches) || (inFlight !== null && inFlight.some(touches));
  }

  // ---- writes from flows

  function refuseUnlessWriter() {
    if (closed) {
      throw codedError("the tandem context store is closed", "tandem_closed");
    }
    if (!writer) {
      throw codedError(standbyMessage, "tandem_standby");
    }
  }

  /** Applies set(keys, values) locally and queues it; all or nothing. */
  function setNow(scope, key, value) {
    refuseUnlessWriter();
    const name = raftScope(scope);
    let keys = key;
    let values = value;
    if (!Array.isArray(key)) {
      keys = [key];
      values = [value];
    } else if (!Array.isArray(value)) {
      values = [value];
    }
    const current = data[name] || Object.create(null);
    const touched = new Map();    // top-level key -> new value (undefined: deleted)
    for (let i = 0; i < keys.length; i++) {
      const v = i < values.length ? values[i] : null;
      const parts = parsePath(keys[i], current);
      const top = String(parts[0]);
      if (parts.length === 1) {
        touched.set(top, v === undefined ? undefined : { json: encode(name, top, v) });
        continue;
      }
      const holder = Object.create(null);
      const before = touched.has(top) ? touched.get(top) : (hasOwn(current, top) ? { json: JSON.stringify(current[top]) } : undefined);
      if (before !== undefined) {
        holder[top] = JSON.parse(before.json);
      }
      const inner = v === undefined ? undefined : JSON.parse(encode(name, keys[i], v));
      if (nodeRedUtil().setObjectProperty(holder, keys[i], inner, inner !== undefined) !== false) {
        touched.set(top, hasOwn(holder, top) ? { json: encode(name, top, holder[top]) } : undefined);
      }
    }
    for (const [top, next] of touched) {
      if (next !== undefined) {
        checkSize(limits, name, top, next.json);
      }
    }
    for (const [top, next] of touched) {
      if (next === undefined) {
        if (data[name] && hasOwn(data[name], top)) {
          applyEffect({ scope: name, key: top, deleted: true });
        }
        enqueueOp({ op: "delete", scope: name, key: top });
      } else {
        applyEffect({ scope: name, key: top, value: JSON.parse(next.json) });
        enqueueOp({ op: "set", scope: name, key: top, json: next.json });
      }
    }
  }

  function getNow(scope, key) {
    const s = data[raftScope(scope)];
    if (!s) {
      return undefined;
    }
    try {
      return nodeRedUtil().getObjectProperty(s, key);
    } catch (e) {
      if (e.code === "INVALID_EXPR") {
        throw e;
      }
      return undefined;
    }
  }

  // ---- following the agent

  async function loadSnapshot() {
    const started = Date.now();
    let delay = 100;
    let last = "";
    while (!closing) {
      const left = cfg.openTimeoutMs - (Date.now() - started);
      if (left <= 0) {
        break;
      }
      try {
        snapshotCall = call("GET", "/tandem/context/snapshot", undefined, Math.max(left, 1));
        const res = await snapshotCall.promise;
        if (res.status === 200) {
          replaceAll(res.body.scopes);
          noteLimits(res.body.limits);
          version = Number(res.body.version) || 0;
          resync = false;
          writer = res.body.writer === true;
          return;
        }
        if (res.status === 503 && res.body && res.body.code === "tandem_unavailable") {
          // The agent waited for its replica already (the coordinators, or on a fresh cluster the
          // group, are not there yet): boot now instead of holding Node-RED's start; the copy
          // follows through changes, and flows only start as the writer after the proof there.
          warn("open", "no context snapshot from the agent yet (" + res.body.message + "); starting with an"
              + " empty copy that refuses writes until the agent answers");
          return;
        }
        last = "HTTP " + res.status + ": " + res.body.message;
      } catch (e) {
        last = e.message;
      }
      await sleep(Math.min(delay, Math.max(cfg.openTimeoutMs - (Date.now() - started), 0)));
      delay = Math.min(delay * 2, 1000);
    }
    if (closing) {
      return;
    }
    warn("open", "no context snapshot from the agent within " + cfg.openTimeoutMs + " ms (" + last
        + "); starting with an empty copy that refuses writes until the agent answers");
  }

  function noteLimits(l) {
    if (l && Number(l.maxValueBytes) > 0) {
      limits = { maxValueBytes: Number(l.maxValueBytes), maxGroupBytes: Number(l.maxGroupBytes) || limits.maxGroupBytes };
    }
  }

  async function followLoop() {
    let delay = 100;
    while (!closing) {
      const sentWriter = writer;
      const since = resync ? 0 : version;
      const q = "/tandem/context/changes?since=" + since + "&writer=" + (sentWriter ? 1 : 0) + "&waitMs=" + cfg.waitMs;
      poll = call("GET", q, undefined, cfg.waitMs + 6000);
      let res;
      try {
        res = await poll.promise;
      } catch (e) {
        if (e.code !== "aborted" && !closing && !e.reusedSocket) {
          warn("poll", "cannot follow the group's context: " + e.message);
          await sleep(delay);
          delay = Math.min(delay * 2, 2000);
        }
        continue;
      } finally {
        poll = null;
      }
      if (res.status !== 200) {
        warn("poll", "cannot follow the group's context: HTTP " + res.status + ": " + res.body.message);
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
        continue;
      }
      delay = 100;
      if (closing || sentWriter !== writer || (resync && since !== 0)) {
        continue;  // the mode changed while this poll waited (a 409): ask again
      }
      try {
        await onChanges(res.body, since);
      } catch (e) {
        warn("protocol", "cannot apply the agent's context changes (" + e.message + "); asking for everything again");
        resync = !writer;
        await sleep(1000);
      }
    }
  }

  async function onChanges(r, since) {
    noteLimits(r.limits);
    if (writer) {
      if (r.writer === false) {
        writer = false;          // new writes are refused from here on
        await drain();           // every queued write delivered (or refused) before the writer=0 poll
        resync = true;
        return;
      }
      version = Number(r.version) || version;
      for (const c of r.corrections || []) {
        correct(c);
      }
      return;
    }
    if (r.full) {
      replaceAll(r.full);
      resync = false;
    } else if (since === 0 && !(r.ops || []).length) {
      // The agent has no copy of the group's context yet (no leader, or no group yet): its long poll
      // ended without one. Ask again soon, so that the copy (and an activation's writer proof)
      // follows the moment it has one; the agent's own wait keeps this from spinning.
      await sleep(100);
      return;
    } else if (since === 0) {
      warn("protocol", "the agent answered a full resync without \"full\"; asking again");
      await sleep(1000);
      return;
    } else {
      (r.ops || []).forEach(applyEffect);
    }
    version = Number(r.version) || 0;
    if (r.writer === true) {
      writer = true;             // applied first: the next poll (writer=1&since=version) proves it
    }
  }

  /** A committed value that replaces a refused write of this writer (over a limit). */
  function correct(c) {
    const what = c.scope + (c.scopeDeleted ? "" : "/" + c.key);
    const reason = c.reason || "refused by the coordinators";
    if (!c.scopeDeleted && pendingWrite(c.scope, c.key)) {
      warn("correction", "a write of " + what + " was refused (" + reason + "); a later write of it is on its way");
      return;
    }
    applyEffect(c);
    warn("correction", "a write of " + what + " was refused (" + reason + "); it holds the committed value again");
  }

  // ---- helpers (atomic, applied by the coordinators)

  function checkTopKey(name, key) {
    if (typeof key !== "string" || key.length === 0) {
      throw codedError("the key must be a non-empty string", "tandem_invalid");
    }
    const parts = parsePath(key, data[name]);
    if (parts.length !== 1) {
      throw codedError("atomic updates work on top-level keys only, not on \"" + key + "\"", "tandem_invalid");
    }
    return String(parts[0]);
  }

  function afterCommit(name, key, value) {
    if (writer && !pendingWrite(name, key)) {
      applyEffect(value === undefined ? { scope: name, key, deleted: true } : { scope: name, key, value });
    }
  }

  async function increment(key, delta, options) {
    const d = delta === undefined ? 1 : delta;
    const name = helperScope((options || {}).scope);
    const top = checkTopKey(name, key);
    if (typeof d !== "number" || !Number.isFinite(d)) {
      throw codedError("increment needs a finite number as delta, not " + String(d), "tandem_invalid");
    }
    refuseUnlessWriter();
    const [result] = await enqueueSync([{ op: "increment", scope: name, key: top, delta: d }]);
    if (!result || !result.ok) {
      const err = codedError((result && result.message) || "increment refused", (result && result.code) || "tandem_invalid");
      err.value = result ? result.value : undefined;
      throw err;
    }
    afterCommit(name, top, result.value);
    return result.value;
  }

  async function compareAndSet(key, expected, value, options) {
    const name = helperScope((options || {}).scope);
    const top = checkTopKey(name, key);
    if (value === undefined) {
      throw codedError("compareAndSet needs a value (to delete a key, set it to undefined)", "tandem_invalid");
    }
    const json = encode(name, top, value);
    checkSize(limits, name, top, json);
    const hasExpected = expected !== undefined;
    const expectedJson = hasExpected ? encode(name, top, expected) : undefined;
    refuseUnlessWriter();
    const [result] = await enqueueSync([{ op: "cas", scope: name, key: top, hasExpected, expectedJson, json }]);
    if (!result) {
      throw codedError("compareAndSet: no result from the agent", "tandem_unavailable");
    }
    if (result.ok) {
      const committed = result.value === undefined ? JSON.parse(json) : result.value;
      afterCommit(name, top, committed);
      return { ok: true, value: committed };
    }
    if (result.code && result.code !== "failed_precondition") {
      const err = codedError(result.message || "compareAndSet refused", result.code);
      err.value = result.value;
      throw err;
    }
    afterCommit(name, top, result.value);
    return { ok: false, value: result.value };
  }

  // ---- the Node-RED store API

  function withCallback(callback, fn) {
    if (typeof callback !== "function") {
      return fn();
    }
    let results;
    try {
      results = fn();
    } catch (e) {
      callback(e);
      return undefined;
    }
    callback.apply(null, [undefined].concat(results));
    return undefined;
  }

  const store = {
    open() {
      if (!opened) {
        currentStore = store;
        opened = loadSnapshot().then(() => {
          loopDone = followLoop();
        });
      }
      return opened;
    },

    close() {
      if (closed) {
        return closed;
      }
      closing = true;
      closeDeadline = Date.now() + cfg.closeTimeoutMs;
      if (poll) {
        poll.abort();
      }
      if (snapshotCall) {
        snapshotCall.abort();
      }
      let timer;
      const bounded = new Promise((r) => { timer = setTimeout(r, cfg.closeTimeoutMs); });
      const stopped = Promise.resolve(opened).then(() => drain()).then(() => loopDone);
      closed = Promise.race([stopped, bounded]).then(() => {
        clearTimeout(timer);
        const left = queue.length + (inFlight ? inFlight.length : 0);
        if (left > 0) {
          warn("lost", left + " context writes not delivered within " + cfg.closeTimeoutMs + " ms of close");
        }
        httpAgent.destroy();
        if (currentStore === store) {
          currentStore = null;
        }
      });
      return closed;
    },

    get(scope, key, callback) {
      return withCallback(callback, () => Array.isArray(key)
        ? key.map((k) => getNow(scope, k))
        : (typeof callback === "function" ? [getNow(scope, key)] : getNow(scope, key)));
    },

    set(scope, key, value, callback) {
      withCallback(callback, () => {
        setNow(scope, key, value);
        return [];
      });
    },

    keys(scope, callback) {
      const list = () => Object.keys(data[raftScope(scope)] || {});
      return withCallback(callback, () => (typeof callback === "function" ? [list()] : list()));
    },

    delete(scope) {
      try {
        refuseUnlessWriter();
      } catch (e) {
        return Promise.reject(e);
      }
      const name = raftScope(scope);
      applyEffect({ scope: name, scopeDeleted: true });
      enqueueOp({ op: "deleteScope", scope: name });
      return Promise.resolve();
    },

    clean(activeNodes) {
      if (!writer || closed) {
        return Promise.resolve();  // the writer cleans; replicas follow its deletes
      }
      const active = new Set(activeNodes || []);
      for (const name of Object.keys(data)) {
        const id = name.startsWith("node:") ? name.substring(5).split(":")[0]
          : name.startsWith("flow:") ? name.substring(5) : null;
        if (id !== null && !active.has(id)) {
          applyEffect({ scope: name, scopeDeleted: true });
          enqueueOp({ op: "deleteScope", scope: name });
        }
      }
      return Promise.resolve();
    },

    increment,
    compareAndSet,
    /** For tests and diagnostics: {writer, version, queued}. */
    state() {
      return { writer, version, queued: queue.length + (inFlight ? inFlight.length : 0) };
    },
  };
  return store;
}

function notOpen() {
  return Promise.reject(codedError("the tandem context store is not open (settings.contextStorage.tandem)",
      "tandem_unavailable"));
}

module.exports = createContextStore;
module.exports.helpers = {
  /** increment(key, delta = 1, {scope = "global"}) -> Promise<number>, the committed new value. */
  increment(key, delta, options) {
    return currentStore ? currentStore.increment(key, delta, options) : notOpen();
  },
  /** compareAndSet(key, expected, value, {scope}) -> Promise<{ok, value}>; expected undefined: only if absent. */
  compareAndSet(key, expected, value, options) {
    return currentStore ? currentStore.compareAndSet(key, expected, value, options) : notOpen();
  },
};
// Node-RED logs "Context store : 'tandem' [module=...]" with this.
module.exports.toString = () => "tandem";
module.exports.raftScope = raftScope;
