"use strict";
// The tandem context store against a small HTTP server that follows the agent's side of the
// contract (test/context_agent.js), plus one test in a real Node-RED 4.1.8 process.
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const contextAgent = require("./context_agent.js");
// Outside Node-RED the store finds @node-red/util through TANDEM_NODE_RED_DIR (bin/install-node-red's install).
process.env.TANDEM_NODE_RED_DIR = process.env.TANDEM_NODE_RED_DIR
    || require("path").join(require("os").homedir(), ".cache", "tandem", "node-red-4.1.8");
const contextModule = require("../lib/context.js");

const TOKEN = "ctx-t0ken";

/** Resolves once cond() is true; the test's own timeout bounds the wait. */
async function until(cond) {
  while (!cond()) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

function captureWarnings() {
  const lines = [];
  const original = console.warn;
  console.warn = (line) => lines.push(String(line));
  lines.restore = () => { console.warn = original; };
  return lines;
}

describe("tandem context store", function () {
  let dir;
  let agent;
  let store;
  let warnings;

  async function openStore(agentOptions, config) {
    agent = await contextAgent(Object.assign({ token: TOKEN }, agentOptions));
    store = contextModule(Object.assign({ agentUrl: agent.url, tokenFile: path.join(dir, "agent.token"),
      waitMs: 1000, openTimeoutMs: 400, closeTimeoutMs: 2000 }, config));
    await store.open();
    return store;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-context-"));
    fs.writeFileSync(path.join(dir, "agent.token"), TOKEN + "\n");
    warnings = captureWarnings();
  });

  afterEach(async () => {
    warnings.restore();
    if (store) {
      await store.close();
      store = null;
    }
    if (agent) {
      await agent.close();
      agent = null;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loads the snapshot and reads it synchronously and with callbacks, with the agent's token", async () => {
    await openStore({ scopes: { global: { count: 3 }, "flow:f1": { list: [1, 2] }, "node:n1:f1": { seen: true } } });
    assert.strictEqual(store.get("global", "count"), 3);
    assert.strictEqual(store.get("f1", "list[1]"), 2);
    assert.strictEqual(store.get("n1:f1", "seen"), true);
    assert.deepStrictEqual(store.get("f1", ["list[0]", "nope"]), [1, undefined]);
    assert.deepStrictEqual(store.keys("global"), ["count"]);
    const viaCallback = await new Promise((resolve, reject) => store.get("f1", ["list[0]", "list[1]"],
      (err, a, b) => (err ? reject(err) : resolve([a, b]))));
    assert.deepStrictEqual(viaCallback, [1, 2]);
    const keys = await new Promise((resolve) => store.keys("n1:f1", (err, k) => resolve([err, k])));
    assert.deepStrictEqual(keys, [undefined, ["seen"]]);
    assert.throws(() => store.get("global", "a..b"), (e) => e.code === "INVALID_EXPR");
    assert.ok(agent.events.some((e) => e.type === "snapshot"));
  });

  it("as a replica refuses every write and changes nothing, and follows committed changes", async () => {
    await openStore({ scopes: { global: { x: 1 } } });
    assert.throws(() => store.set("global", "x", 2), /this instance is the standby/);
    const err = await new Promise((resolve) => store.set("global", "y", 1, resolve));
    assert.ok(err instanceof Error && err.code === "tandem_standby", String(err));
    await assert.rejects(store.delete("global"), /standby/);
    await store.clean([]);
    await assert.rejects(contextModule.helpers.increment("x"), (e) => e.code === "tandem_standby");
    assert.strictEqual(store.get("global", "x"), 1);
    assert.strictEqual(store.get("global", "y"), undefined);
    agent.commit([{ op: "set", scope: "flow:f9", key: "k", value: { a: 1 } }, { op: "delete", scope: "global", key: "x" }]);
    await until(() => store.get("f9", "k.a") === 1);
    assert.strictEqual(store.get("global", "x"), undefined);
    assert.strictEqual(agent.posts().length, 0, "a replica never sends a write");
  });

  it("on writer:true applies the changes first, then writes; its next poll proves the version", async () => {
    await openStore({ scopes: { global: { n: 1 } } });
    agent.commit([{ op: "set", scope: "global", key: "n", value: 2 }]);
    agent.writer = true;
    agent.acceptWrites = true;
    agent.wake();
    await until(() => agent.pollEvents().some((p) => p.writer));
    const proof = agent.pollEvents().find((p) => p.writer);
    assert.strictEqual(proof.since, agent.version, "writer=1 comes with since = the version it holds");
    assert.strictEqual(store.get("global", "n"), 2, "the committed change was applied before writing");
    store.set("global", "n", 3);
    await until(() => agent.scopes.global.n === 3);
  });

  it("batches a burst of writes into few POSTs, one in flight at a time, in order", async () => {
    await openStore({ writer: true });
    for (let i = 0; i < 500; i++) {
      store.set("global", "k" + i, i);
      if (i % 100 === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    await until(() => store.state().queued === 0);
    const posts = agent.posts();
    assert.ok(posts.length < 500 / 10, "POSTs: " + posts.length);
    const keys = posts.flatMap((p) => p.ops.map((op) => op.key));
    assert.deepStrictEqual(keys, Array.from({ length: 500 }, (_, i) => "k" + i), "every op, in order");
    assert.ok(posts.every((p) => p.sync === false));
    // one in flight: every POST was answered before the next one arrived
    const order = agent.events.filter((e) => e.type === "post" || e.type === "posted").map((e) => e.type);
    order.forEach((t, i) => assert.strictEqual(t, i % 2 === 0 ? "post" : "posted"));
    assert.strictEqual(agent.scopes.global.k499, 499);
  });

  it("a key written again while it waits in the queue travels once, with its last value", async () => {
    await openStore({ writer: true });
    agent.holdPosts = true;
    store.set("global", "first", 0);      // in flight
    for (let i = 1; i <= 100; i++) {
      store.set("global", "counter", i);
      store.set("global", "k" + (i % 3), i);
    }
    agent.releasePosts();
    await until(() => store.state().queued === 0);
    const second = agent.posts()[1].ops;
    assert.deepStrictEqual(second.map((op) => op.key + "=" + op.value), ["counter=100", "k1=100", "k2=98", "k0=99"]);
    assert.strictEqual(agent.posts().length, 2);
  });

  it("a correction does not undo a later write of the same key that is still on its way", async () => {
    await openStore({ writer: true, scopes: { global: { big: "committed" } } });
    agent.holdPosts = true;
    store.set("global", "big", "refused later");    // in flight
    store.set("global", "big", "newest");           // queued
    agent.corrections.push({ scope: "global", key: "big", value: "committed", reason: "over context.maxGroupBytes" });
    agent.wake();
    await until(() => warnings.some((w) => /a later write of it is on its way/.test(w)));
    assert.strictEqual(store.get("global", "big"), "newest");
    agent.releasePosts();
    await until(() => store.state().queued === 0);
    assert.strictEqual(agent.scopes.global.big, "newest");
  });

  it("writes nested keys as their whole top-level value, and arrays of keys all at once", async () => {
    await openStore({ writer: true, scopes: { "flow:f1": { a: { keep: 1 } } } });
    store.set("f1", "a.b[0]", "x");
    assert.deepStrictEqual(store.get("f1", "a"), { keep: 1, b: ["x"] });
    assert.strictEqual(store.get("f1", "a.b[0]"), "x");
    store.set("f1", ["p", "q.r", "s"], [1, true]);
    assert.deepStrictEqual(store.get("f1", ["p", "q", "s"]), [1, { r: true }, null]);
    store.set("f1", "a.keep", undefined);
    assert.deepStrictEqual(store.get("f1", "a"), { b: ["x"] });
    store.set("f1", "p", undefined);
    assert.deepStrictEqual(store.keys("f1").sort(), ["a", "q", "s"]);
    await until(() => store.state().queued === 0);
    assert.deepStrictEqual(agent.scopes["flow:f1"], { a: { b: ["x"] }, q: { r: true }, s: null });
    const ops = agent.posts().flatMap((p) => p.ops);
    assert.ok(ops.every((op) => ["a", "p", "q", "s"].includes(op.key)), "only top-level keys travel");
    assert.ok(ops.some((op) => op.op === "delete" && op.key === "p"));
  });

  it("refuses values over the per-value limit or not JSON-serialisable, and changes nothing", async () => {
    await openStore({ writer: true, scopes: { global: { big: "small" } }, limits: { maxValueBytes: 100, maxGroupBytes: 1000 } });
    assert.throws(() => store.set("global", "big", "x".repeat(200)), (e) => {
      assert.match(e.message, /context value global\/big is 205 bytes, over the limit of 100 bytes \(context\.maxValueBytes\)/);
      assert.strictEqual(e.code, "tandem_too_large");
      return true;
    });
    const circular = { name: "c" };
    circular.self = circular;
    assert.throws(() => store.set("global", "c", circular), /Context global key "c" contains a circular reference that cannot be persisted/);
    assert.throws(() => store.set("global", "n", 10n), (e) => e.code === "tandem_not_serialisable" && /BigInt/.test(e.message));
    const err = await new Promise((resolve) => store.set("global", ["ok", "big"], ["fine", "y".repeat(200)], resolve));
    assert.strictEqual(err.code, "tandem_too_large");
    assert.strictEqual(store.get("global", "ok"), undefined, "a refused multi-set changes no key");
    assert.strictEqual(store.get("global", "big"), "small");
    assert.deepStrictEqual(store.keys("global"), ["big"]);
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(agent.posts().length, 0, "nothing was sent");
  });

  it("on writer:false delivers every queued write before it polls writer=0&since=0, then reloads", async () => {
    await openStore({ writer: true });
    agent.holdPosts = true;
    store.set("global", "a", 1);          // in flight, held by the agent
    store.set("global", "b", 2);          // queued
    store.set("flow:x", "c", 3);
    agent.writer = false;                 // a planned stop: the agent keeps accepting until the writer=0 poll
    agent.wake();
    await until(() => !store.state().writer);
    assert.throws(() => store.set("global", "d", 4), /standby/);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!agent.pollEvents().some((p) => !p.writer), "no writer=0 poll while writes are still queued");
    agent.releasePosts();
    await until(() => agent.pollEvents().some((p) => !p.writer));
    const events = agent.events.filter((e) => e.type !== "snapshot");
    const resync = events.findIndex((e) => e.type === "poll" && !e.writer);
    assert.strictEqual(events[resync].since, 0, "the first replica poll is a full resync");
    const before = events.slice(0, resync);
    const sent = before.filter((e) => e.type === "post").flatMap((e) => e.ops.map((op) => op.key));
    assert.deepStrictEqual(sent, ["a", "b", "c"], "every queued write was POSTed first");
    assert.strictEqual(before.filter((e) => e.type === "posted").length, before.filter((e) => e.type === "post").length,
      "and answered");
    agent.commit([{ op: "set", scope: "global", key: "z", value: "after" }]);
    await until(() => store.get("global", "z") === "after");
    assert.strictEqual(store.get("global", "d"), undefined);
    assert.strictEqual(store.get("global", "b"), 2);
  });

  it("drops queued writes on 409 tandem_standby with a rate-limited warning, and resyncs as a replica", async () => {
    await openStore({ writer: true, scopes: { global: { kept: 1 } } });
    agent.holdPosts = true;
    agent.acceptWrites = false;           // the agent no longer runs the flows (its lease is gone)
    agent.writer = false;                 // (not told yet: the plugin learns it from the 409)
    store.set("global", "a", 1);
    store.set("global", "b", 2);
    store.set("global", "c", 3);
    agent.releasePosts();
    await until(() => agent.pollEvents().some((p) => !p.writer && p.since === 0));
    await until(() => store.get("global", "a") === undefined);
    assert.strictEqual(store.get("global", "kept"), 1);
    assert.strictEqual(agent.posts().length, 1, "the queued writes were dropped, not sent");
    const dropped = warnings.filter((w) => /^Tandem context: \d+ context writes dropped/.test(w));
    assert.strictEqual(dropped.length, 1, warnings.join("\n"));
    assert.match(dropped[0], /3 context writes dropped: this instance is the standby/);
    assert.throws(() => store.set("global", "a", 1), /standby/);
  });

  it("in writer mode applies corrections (the committed value of a refused write) and warns", async () => {
    await openStore({ writer: true, scopes: { global: { big: "committed" } } });
    store.set("global", "big", "too big for the group");
    await until(() => store.state().queued === 0);
    agent.scopes.global.big = "committed";  // the coordinators refused it
    agent.corrections.push({ scope: "global", key: "big", value: "committed", reason: "over context.maxGroupBytes" });
    agent.wake();
    await until(() => store.get("global", "big") === "committed");
    assert.ok(warnings.some((w) => /a write of global\/big was refused \(over context\.maxGroupBytes\)/.test(w)),
      warnings.join("\n"));
  });

  it("increment and compareAndSet commit through the agent after the queued writes and update the copy", async () => {
    await openStore({ writer: true, scopes: { global: { word: "a" } } });
    const { increment, compareAndSet } = contextModule.helpers;
    store.set("global", "orders", 40);
    assert.strictEqual(await increment("orders"), 41);
    assert.strictEqual(await increment("orders", 2), 43);
    assert.strictEqual(store.get("global", "orders"), 43);
    const posts = agent.posts();
    assert.deepStrictEqual(posts.map((p) => [p.sync, p.ops[0].op]), [[false, "set"], [true, "increment"], [true, "increment"]]);
    assert.deepStrictEqual(await compareAndSet("word", "a", "b"), { ok: true, value: "b" });
    assert.deepStrictEqual(await compareAndSet("word", "a", "c"), { ok: false, value: "b" });
    assert.deepStrictEqual(await compareAndSet("fresh", undefined, { v: 1 }, { scope: "flow:f1" }), { ok: true, value: { v: 1 } });
    assert.deepStrictEqual(store.get("f1", "fresh"), { v: 1 });
    assert.deepStrictEqual(await compareAndSet("fresh", undefined, 2, { scope: "flow:f1" }), { ok: false, value: { v: 1 } });
    await assert.rejects(increment("word"), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /context value global\/word is not a number/);
      assert.strictEqual(e.code, "tandem_invalid");
      return true;
    });
    await assert.rejects(increment("a.b"), (e) => e.code === "tandem_invalid" && /top-level keys only/.test(e.message));
    await assert.rejects(increment("orders", "2"), (e) => e.code === "tandem_invalid");
    assert.strictEqual(agent.scopes.global.orders, 43);
    assert.strictEqual(agent.scopes.global.word, "b");
  });

  it("close() delivers the queued writes and stops following", async () => {
    await openStore({ writer: true });
    agent.holdPosts = true;
    store.set("global", "a", 1);
    store.set("global", "b", 2);
    const closing = store.close();
    setTimeout(() => agent.releasePosts(), 50);
    await closing;
    store = null;
    assert.deepStrictEqual(agent.scopes.global, { a: 1, b: 2 });
    const polls = agent.pollEvents().length;
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(agent.pollEvents().length, polls, "no poll after close");
    assert.strictEqual(agent.polls.length, 0, "no poll left waiting");
  });

  it("open() resolves with an empty copy when the agent has no replica, then loads it through changes", async () => {
    const started = Date.now();
    // the agent's 503 (no replica after its own wait) ends open() at once, long before openTimeoutMs
    await openStore({ snapshotStatus: 503, scopes: { global: { later: true } } }, { openTimeoutMs: 5000 });
    assert.ok(Date.now() - started < 3000);
    assert.deepStrictEqual(store.keys("global"), []);
    assert.ok(warnings.some((w) => /no context snapshot from the agent yet \(no replica yet\)/.test(w)), warnings.join("\n"));
    await until(() => store.get("global", "later") === true);
    assert.strictEqual(agent.pollEvents()[0].since, 0);
  });

  it("while the agent has no copy yet, its empty resync answers are no protocol error; the copy follows once it has one", async () => {
    // version 0 and snapshot 503: the agent's replica is not loaded, every since=0 poll ends after
    // its wait with no "full" and no ops (the real agent without a leader or, fresh, without the group)
    await openStore({ version: 0, snapshotStatus: 503 }, { waitMs: 100 });
    await until(() => agent.pollEvents().length >= 3);
    assert.ok(!warnings.some((w) => /full resync without/.test(w)), warnings.join("\n"));
    agent.scopes = { global: { loaded: 1 } };
    agent.version = 4;
    agent.wake();
    await until(() => store.get("global", "loaded") === 1);
    assert.ok(agent.pollEvents().every((p) => p.since === 0 || p.since === 4));
  });

  it("re-reads the token file after a 401 (the agent wrote a new token)", async () => {
    fs.writeFileSync(path.join(dir, "agent.token"), "old-token\n");
    setTimeout(() => fs.writeFileSync(path.join(dir, "agent.token"), TOKEN + "\n"), 150);
    await openStore({ scopes: { global: { v: 1 } } }, { openTimeoutMs: 3000 });
    assert.strictEqual(store.get("global", "v"), 1);
    assert.ok(!warnings.some((w) => /no context snapshot/.test(w)), warnings.join("\n"));
  });

  it("clean() deletes the scopes of nodes and flows that are gone, as the writer", async () => {
    await openStore({ writer: true, scopes: { global: { g: 1 }, "flow:f1": { a: 1 }, "flow:gone": { a: 1 },
      "node:n1:f1": { a: 1 }, "node:n2:f1": { a: 1 } } });
    await store.clean(["f1", "n1"]);
    await until(() => store.state().queued === 0);
    const ops = agent.posts().flatMap((p) => p.ops);
    assert.deepStrictEqual(ops.map((op) => op.op + " " + op.scope).sort(), ["deleteScope flow:gone", "deleteScope node:n2:f1"]);
    assert.deepStrictEqual(store.keys("n2:f1"), []);
    assert.deepStrictEqual(store.keys("n1:f1"), ["a"]);
    assert.deepStrictEqual(store.keys("global"), ["g"]);
  });
});

describe("tandem context store in a real Node-RED 4.1.8", function () {
  const { spawn } = require("child_process");
  const http = require("http");
  const nodeRedDir = process.env.TANDEM_NODE_RED_DIR || path.join(os.homedir(), ".cache", "tandem", "node-red-4.1.8");
  const redJs = path.join(nodeRedDir, "node_modules", "node-red", "red.js");
  let dir;
  let agent;
  let child;
  let output;

  beforeEach(() => {
    output = "";
  });

  function post(url, body) {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(url, { method: "POST", headers: { "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(payload) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  afterEach(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(child.pid, "SIGKILL");
      await exited;
    }
    if (this.currentTest.state === "failed" || process.env.SHOW_NODE_RED_OUTPUT) {
      console.log("Node-RED output:\n" + output);
    }
    child = null;
    if (agent) {
      await agent.close();
      agent = null;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runFlows(asDefault) {
    assert.ok(fs.existsSync(redJs), "Node-RED 4.1.8 is not installed at " + nodeRedDir
        + ": run bin/install-node-red (or set TANDEM_NODE_RED_DIR)");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-context-nr-"));
    fs.writeFileSync(path.join(dir, "agent.token"), TOKEN + "\n");
    agent = await contextAgent({ token: TOKEN, version: 5, scopes: { global: { seed: 41, orders: 6 } } });
    const tandemStore = "tandem: { module: ctx, config: { agentUrl: " + JSON.stringify(agent.url) + ", tokenFile: "
        + JSON.stringify(path.join(dir, "agent.token")) + ", tokenHeader: 'x-tandem-token', waitMs: 1000 } }";
    fs.writeFileSync(path.join(dir, "settings.js"), [
      "const ctx = require(" + JSON.stringify(path.resolve(__dirname, "../lib/context.js")) + ");",
      "module.exports = {",
      "  uiHost: '127.0.0.1', uiPort: 0, flowFile: 'flows.json', credentialSecret: false,",
      "  runtimeState: { enabled: true },",
      "  functionGlobalContext: { tandem: { context: ctx.helpers } },",
      asDefault
        ? "  contextStorage: { default: 'tandem', " + tandemStore + ", memory: { module: 'memory' } },"
        : "  contextStorage: { default: { module: 'memory' }, " + tandemStore + " },",
      "};",
    ].join("\n"));
    fs.writeFileSync(path.join(dir, ".config.runtime.json"), JSON.stringify({ runtimeFlowState: "stop" }));
    const S = asDefault ? "undefined" : "'tandem'";
    const M = asDefault ? "'memory'" : "undefined";
    const func = [
      "const seed = global.get('seed', " + S + ");",
      "flow.set('seen', seed + 1, " + S + ");",
      "flow.set('nested.a[1]', 'x', " + S + ");",
      "context.set('mine', 'm', " + S + ");",
      "flow.set('local', 1, " + M + ");",
      "const n = await global.get('tandem').context.increment('orders');",
      "flow.set('orderNo', n, " + S + ");",
      "return msg;",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "flows.json"), JSON.stringify([
      { id: "t1", type: "tab", label: "T" },
      { id: "i1", type: "inject", z: "t1", props: [{ p: "payload" }], payload: "", payloadType: "date",
        repeat: "", once: true, onceDelay: 0.1, wires: [["fn1"]] },
      { id: "fn1", type: "function", z: "t1", func, finalize: "flow.set('stopped', true, " + S + ");",
        outputs: 1, wires: [[]] },
    ]));
    child = spawn(process.execPath, [redJs, "--userDir", dir, "--settings", path.join(dir, "settings.js")],
      { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (c) => { output += c; });
    child.stderr.on("data", (c) => { output += c; });
    await until(() => /Server now running at http:\/\/127\.0\.0\.1:\d+\//.test(output) || child.exitCode !== null);
    const port = Number(/Server now running at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)[1]);

    // the agent activates this instance: writer:true, then the proof poll (writer=1&since=5), then start
    await until(() => agent.pollEvents().some((p) => !p.writer && p.since === 5));
    agent.writer = true;
    agent.acceptWrites = true;
    agent.wake();
    await until(() => agent.pollEvents().some((p) => p.writer && p.since === 5));
    assert.strictEqual(agent.posts().length, 0, "nothing is written before the flows start");
    assert.strictEqual(await post("http://127.0.0.1:" + port + "/flows/state", { state: "start" }), 200);

    await until(() => (agent.scopes["flow:t1"] || {}).orderNo !== undefined);
    assert.deepStrictEqual(agent.scopes["flow:t1"], { seen: 42, nested: { a: [null, "x"] }, orderNo: 7 });
    assert.deepStrictEqual(agent.scopes["node:fn1:t1"], { mine: "m" });
    assert.strictEqual(agent.scopes.global.orders, 7);
    const ops = agent.posts().flatMap((p) => p.ops.map((op) => (p.sync ? "sync " : "") + op.op + " " + op.key));
    assert.deepStrictEqual(ops, ["set seen", "set nested", "set mine", "sync increment orders", "set orderNo"],
      "the memory store's write stays in the process");

    // SIGTERM: Node-RED stops the flows (the function's On Stop code writes), then closes the store
    const exited = new Promise((r) => child.once("exit", (code, signal) => r(code !== null ? code : signal)));
    process.kill(child.pid, "SIGTERM");
    await exited;
    assert.strictEqual(agent.scopes["flow:t1"].stopped, true, "the write made while stopping was delivered by close()");
    assert.ok(!/Tandem context/.test(output), output);
  }

  it("a function node's synchronous flow.set/global.get and the increment helper reach the agent", async function () {
    this.timeout(60000);
    await runFlows(false);
  });

  it("the same as Node-RED's default store (contextStorage.default: 'tandem')", async function () {
    this.timeout(60000);
    await runFlows(true);
  });
});
