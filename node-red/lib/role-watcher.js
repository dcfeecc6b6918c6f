// The local agent's view of this instance (GET /tandem/role) and of its locks, shared by every Tandem
// node in the Node-RED process (one watcher per agent address), for the `tandem leader` and
// `tandem role` nodes and the editor sidebar.
//
// Changes are learnt by long-polling GET /tandem/role?since=V. Whether this instance holds a lock
// is decided locally, per call, from a monotonic deadline: performance.now() taken BEFORE a request
// was sent, plus the lock's validForMillis in its answer. The agent computed validForMillis after it
// received the request, so the deadline is never later than the agent's own self-fence deadline:
// a frozen agent (no answers) or a paused Node-RED (SIGSTOP: the monotonic clock runs on) can never
// make a lock look held after the lease. While a lock is held, short GETs (every refreshMs) push the
// deadline forward; the long poll's answer (sent long ago) only ever shortens or ends it.
"use strict";
const fs = require("fs");
const http = require("http");
const { EventEmitter } = require("events");
const { performance } = require("perf_hooks");

const KEY_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/;
const DEFAULTS = { tokenHeader: "x-tandem-token", waitMs: 25000, refreshMs: 200, retryMs: 1000,
  requestTimeoutMs: 2000 };

function validKey(key) {
  return typeof key === "string" && KEY_PATTERN.test(key);
}

class RoleWatcher extends EventEmitter {
  constructor(config, now) {
    super();
    this.setMaxListeners(0);
    this.cfg = Object.assign({}, DEFAULTS, config);
    this.now = now || (() => performance.now());
    this.base = String(this.cfg.agentUrl).replace(/\/+$/, "");
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.state = null;            // the last /tandem/role answer applied
    this.reachable = false;       // the agent answered the last request (any status but a network error)
    this.attempted = false;       // a request to the agent answered or failed since the start
    this.lastError = "";
    this.appliedAt = -Infinity;   // when the last applied answer arrived (monotonic ms)
    this.held = new Map();        // key -> {token, until}: this instance holds key until `until`
    this.wanted = new Map();      // key -> Set of owners (node ids)
    this.putting = new Set();     // keys with a PUT in flight
    this.users = 0;
    this.running = false;
    this.token = null;
    this.deleting = new Map();    // key -> the DELETE in flight (a PUT of the key waits for it)
    this.timers = new Set();
    this.expiryTimer = null;
    this.refreshing = false;
    this.refreshTimer = null;
  }

  // ---- life cycle: the first user starts the polling, the last one stops it

  acquire() {
    this.users += 1;
    if (!this.running) {
      this.running = true;
      this.pollLoop(true);
    }
  }

  release() {
    this.users = Math.max(0, this.users - 1);
    // with a DELETE in flight the last unwant() stops the watcher once it is answered
    if (this.users === 0 && this.wanted.size === 0 && this.deleting.size === 0) {
      this.stop();
    }
  }

  stop() {
    this.running = false;
    for (const t of this.timers) {
      clearTimeout(t);
    }
    this.timers.clear();
    clearTimeout(this.expiryTimer);
    this.httpAgent.destroy();
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  // ---- what the nodes ask

  /** {held, token} for key, decided now from the local deadline. */
  lock(key) {
    const h = this.held.get(key);
    if (h && this.now() < h.until) {
      return { held: true, token: h.token };
    }
    return { held: false, token: 0 };
  }

  /** Every key this instance holds now: key -> token. */
  heldLocks() {
    const out = new Map();
    for (const key of this.held.keys()) {
      const l = this.lock(key);
      if (l.held) {
        out.set(key, l.token);
      }
    }
    return out;
  }

  /** The agent answered and is linked to the coordinators. */
  coordinated() {
    return this.reachable && this.state !== null && this.state.coordinator === true;
  }

  instance() {
    return this.state ? this.state.instance : undefined;
  }

  /** Marks key wanted by owner (PUT /tandem/locks/key), retried until the agent has it. */
  want(key, owner) {
    let owners = this.wanted.get(key);
    if (!owners) {
      owners = new Set();
      this.wanted.set(key, owners);
    }
    owners.add(owner);
    this.put(key, owner);
  }

  /** The owner no longer wants key (DELETE ...?owner=); resolves when the agent answered or gave up. */
  unwant(key, owner) {
    const owners = this.wanted.get(key);
    if (owners) {
      owners.delete(owner);
      if (owners.size === 0) {
        this.wanted.delete(key);
      }
    }
    const path = "/tandem/locks/" + encodeURIComponent(key) + "?owner=" + encodeURIComponent(owner);
    const done = (this.deleting.get(key) || Promise.resolve())
      .then(() => this.request("DELETE", path, undefined, this.cfg.requestTimeoutMs))
      .catch(() => null)
      .then(() => {
        if (this.deleting.get(key) === done) {
          this.deleting.delete(key);
        }
        if (!this.wanted.has(key)) {
          this.held.delete(key);
          this.changed();
        }
        if (this.users === 0 && this.wanted.size === 0 && this.deleting.size === 0) {
          this.stop();
        }
      });
    this.deleting.set(key, done);
    return done;
  }

  put(key, owner) {
    const tag = key + "\u0000" + owner;
    if (this.putting.has(tag)) {
      return;
    }
    this.putting.add(tag);
    const pending = this.deleting.get(key);
    if (pending) {
      // the DELETE of an earlier owner (a node restarted by a deploy) goes first
      pending.then(() => {
        this.putting.delete(tag);
        const owners = this.wanted.get(key);
        if (owners && owners.has(owner)) {
          this.put(key, owner);
        }
      });
      return;
    }
    const sentAt = this.now();
    this.request("PUT", "/tandem/locks/" + encodeURIComponent(key), { owner }, this.cfg.requestTimeoutMs)
      .then((r) => {
        this.putting.delete(tag);
        if (r.status === 200 && r.body && typeof r.body === "object") {
          this.applyLock(r.body, sentAt);
          this.changed();
          return;
        }
        this.lastError = "PUT " + key + ": HTTP " + r.status + " " + ((r.body && r.body.error) || "");
        this.retryPut(key, owner, r.status === 400 ? this.cfg.retryMs * 10 : this.cfg.retryMs);
      }, (e) => {
        this.putting.delete(tag);
        this.lastError = e.message;
        this.retryPut(key, owner, this.cfg.retryMs);
      });
  }

  retryPut(key, owner, ms) {
    if (!this.running) {
      return;
    }
    this.later(() => {
      const owners = this.wanted.get(key);
      if (owners && owners.has(owner)) {
        this.put(key, owner);
      }
    }, ms);
  }

  // ---- polling

  pollLoop(first) {
    if (!this.running) {
      return;
    }
    const since = this.state && this.reachable && !first ? this.state.version : undefined;
    const query = since === undefined ? "" : "?since=" + since + "&waitMs=" + this.cfg.waitMs;
    const sentAt = this.now();
    this.request("GET", "/tandem/role" + query, undefined, this.cfg.waitMs + this.cfg.requestTimeoutMs + 3000)
      .then((r) => {
        this.answered(r, sentAt);
        if (!this.running) {
          return;
        }
        const version = r.body && typeof r.body === "object" ? r.body.version : undefined;
        // poll again at once only after a proper long poll: a 503, an answer without a version, or
        // an unchanged one well before waitMs (an agent that does not wait) must not make it spin
        const proper = r.status === 200 && typeof version === "number"
          && (since === undefined || version !== since || this.now() - sentAt >= this.cfg.waitMs / 2);
        if (r.status === 200 || r.status === 503) {
          this.refreshNow();
        }
        this.later(() => this.pollLoop(), proper ? 0 : this.cfg.retryMs);
      }, (e) => {
        this.unreachable(e);
        this.later(() => this.pollLoop(), this.cfg.retryMs);
      });
  }

  /** A short GET /tandem/role, whose send time bounds the deadlines; repeated while a lock is held. */
  refreshNow() {
    if (this.refreshing || !this.running) {
      return;
    }
    this.refreshing = true;
    const sentAt = this.now();
    this.request("GET", "/tandem/role", undefined, this.cfg.requestTimeoutMs)
      .then((r) => this.answered(r, sentAt), (e) => this.unreachable(e))
      .then(() => {
        this.refreshing = false;
        if (this.running && this.held.size > 0) {
          clearTimeout(this.refreshTimer);
          this.timers.delete(this.refreshTimer);
          this.refreshTimer = this.later(() => this.refreshNow(), this.cfg.refreshMs);
        }
      });
  }

  answered(r, sentAt) {
    this.attempted = true;
    if (r.status === 401 || r.status === 403) {
      this.token = null;  // read the token file again next time
    }
    const body = r.body && typeof r.body === "object" ? r.body : null;
    if ((r.status === 200 || r.status === 503) && body && typeof body.version === "number") {
      this.reachable = true;
      this.lastError = r.status === 503 ? (body.error || "the agent is not linked to a coordinator") : "";
      // An answer older than the one applied is ignored, unless its request left after that one
      // arrived (then it is newer for sure: the agent restarted and counts versions from anew).
      if (this.state === null || body.version >= this.state.version || sentAt >= this.appliedAt) {
        this.apply(r.status === 503 ? Object.assign({}, body, { coordinator: false }) : body, sentAt);
      }
    } else {
      this.reachable = r.status !== 0;
      this.lastError = "GET /tandem/role: HTTP " + r.status + " " + ((body && (body.error || body.message)) || "");
    }
    this.changed();
  }

  unreachable(e) {
    this.attempted = true;
    this.reachable = false;
    this.lastError = "the Tandem agent at " + this.base + " does not answer (" + e.message + ")";
    this.changed();
  }

  apply(body, sentAt) {
    this.state = body;
    this.appliedAt = this.now();
    const seen = new Set();
    for (const lock of Array.isArray(body.locks) ? body.locks : []) {
      if (lock && typeof lock.key === "string") {
        seen.add(lock.key);
        this.applyLock(lock, sentAt);
      }
    }
    for (const key of [...this.held.keys()]) {
      if (!seen.has(key)) {
        this.held.delete(key);
      }
    }
    // the agent lost a wanted key (it restarted): ask again
    for (const [key, owners] of this.wanted) {
      const lock = (body.locks || []).find((l) => l && l.key === key);
      if (!lock || lock.wanted !== true) {
        for (const owner of owners) {
          this.put(key, owner);
        }
      }
    }
  }

  applyLock(lock, sentAt) {
    const me = this.state ? this.state.instance : undefined;
    const mine = lock.held === true && me !== undefined && (lock.holder === undefined || lock.holder === me);
    const valid = Number(lock.validForMillis);
    if (!mine || !(valid > 0) || !Number.isSafeInteger(lock.token)) {
      this.held.delete(lock.key);
      return;
    }
    const until = sentAt + valid;
    const prior = this.held.get(lock.key);
    // the same grant: keep the later bound (each one is safe); another token: the new grant's bound
    this.held.set(lock.key, { token: lock.token,
      until: prior && prior.token === lock.token ? Math.max(prior.until, until) : until });
  }

  /** Tells the nodes, and wakes them again when the nearest deadline passes with no answer. */
  changed() {
    clearTimeout(this.expiryTimer);
    let nearest = Infinity;
    const now = this.now();
    for (const h of this.held.values()) {
      if (h.until > now) {
        nearest = Math.min(nearest, h.until);
      }
    }
    if (nearest !== Infinity) {
      this.expiryTimer = setTimeout(() => this.changed(), Math.max(1, Math.ceil(nearest - now) + 1));
    }
    this.emit("update");
  }

  // ---- HTTP

  tokenValue() {
    if (this.token === null && this.cfg.tokenFile) {
      this.token = fs.readFileSync(this.cfg.tokenFile, "utf8").trim();
    }
    return this.token;
  }

  /** {status, body}; status 0 never: a network error or timeout rejects. */
  request(method, path, body, timeoutMs) {
    return new Promise((resolve, reject) => {
      let url;
      let headers;
      try {
        url = new URL(this.base + path);
        headers = { "Accept": "application/json" };
        const token = this.tokenValue();
        if (token) {
          headers[this.cfg.tokenHeader] = token;
        }
      } catch (e) {
        return reject(e);
      }
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body), "utf8");
      if (data) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = data.length;
      }
      const req = http.request(url, { method, headers, agent: this.httpAgent }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch (e) {
            parsed = { error: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => req.destroy(new Error("no answer within " + timeoutMs + " ms")), timeoutMs);
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(data || undefined);
    });
  }
}

const watchers = new Map();

/** The process's watcher for these settings (RED.settings.tandemNodes). */
function watcherFor(settings) {
  if (!settings || !settings.agentUrl) {
    return null;
  }
  const id = settings.agentUrl + "\u0000" + (settings.tokenFile || "");
  let w = watchers.get(id);
  if (!w) {
    w = new RoleWatcher(settings);
    watchers.set(id, w);
  }
  return w;
}

/** RED.settings.tandemNodes, or undefined when Node-RED was not started with Tandem's settings. */
function nodeSettings(RED) {
  try {
    return RED.settings.tandemNodes;
  } catch (e) {
    return undefined;
  }
}

module.exports = { RoleWatcher, watcherFor, nodeSettings, validKey, _watchers: watchers };
