"use strict";
// The `tandem leader` and `tandem role` nodes in a Node-RED runtime (node-red-node-test-helper),
// against a stand-in for the agent's local API (test/role_agent.js).
const assert = require("assert");
const helper = require("node-red-node-test-helper");
const leaderNode = require("../nodes/tandem-leader.js");
const roleNode = require("../nodes/tandem-role.js");
const { _watchers } = require("../lib/role-watcher.js");
const roleAgent = require("./role_agent.js");

helper.init(require.resolve("node-red"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      throw new Error("timed out waiting for " + what);
    }
    await sleep(10);
  }
}

/** The statuses a node showed, in order (the helper spies on Node.prototype.status). */
function statuses(node) {
  return () => node.status.getCalls().filter((c) => c.thisValue === node).map((c) => c.args[0]);
}

const last = (list) => list[list.length - 1] || {};

/** Sends msg into the node and resolves with [output index, msg]. */
function route(n1, h1, h2, msg) {
  return new Promise((resolve) => {
    const done = (i) => (m) => {
      h1.removeAllListeners("input");
      h2.removeAllListeners("input");
      resolve([i, m]);
    };
    h1.once("input", done(1));
    h2.once("input", done(2));
    n1.receive(msg);
  });
}

const leaderFlow = (extra) => [
  Object.assign({ id: "n1", type: "tandem leader", name: "job", lock: "poll-plc", wires: [["h1"], ["h2"]] }, extra),
  { id: "h1", type: "helper" },
  { id: "h2", type: "helper" },
];

describe("tandem leader and tandem role nodes", function () {
  let agent;

  function settings(extra) {
    helper.settings({ tandemNodes: Object.assign({ agentUrl: agent.url + "/", tokenFile: null,
      tokenHeader: "x-tandem-token", refreshMs: 40, retryMs: 100, requestTimeoutMs: 400, waitMs: 25000 }, extra) });
  }

  beforeEach(async function () {
    agent = await roleAgent({ validForMillis: 2000 });
  });

  afterEach(async function () {
    await helper.unload();
    for (const w of _watchers.values()) {
      w.stop();
    }
    _watchers.clear();
    await agent.close();
  });

  it("asks for the lock when it starts (PUT with the node id) and gives it up when it stops (DELETE)", async function () {
    settings();
    await helper.load(leaderNode, leaderFlow());
    await until("the PUT", () => agent.requestsOf("PUT").length === 1);
    const put = agent.requestsOf("PUT")[0];
    assert.strictEqual(put.path, "/tandem/locks/poll-plc");
    assert.deepStrictEqual(put.body, { owner: "n1" });
    assert.deepStrictEqual(agent.wanted("poll-plc"), ["n1"]);
    await helper.unload();
    const del = agent.requestsOf("DELETE");
    assert.strictEqual(del.length, 1, "DELETE sent before close completed");
    assert.strictEqual(del[0].path, "/tandem/locks/poll-plc");
    assert.strictEqual(del[0].query, "?owner=n1");
    assert.deepStrictEqual(agent.wanted("poll-plc"), []);
  });

  it("sends to output 1 with msg.tandem while this instance holds the lock, status green with the token", async function () {
    agent.lock("poll-plc", "a", 41);
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("leader status", () => seen().some((s) => s.text === "leader (token 41)"));
    assert.deepStrictEqual(last(seen()), { fill: "green", shape: "dot", text: "leader (token 41)" });
    const [out, msg] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), { payload: 1 });
    assert.strictEqual(out, 1);
    assert.deepStrictEqual(msg.tandem, { lock: "poll-plc", token: 41, instance: "a" });
    assert.strictEqual(msg.payload, 1);
  });

  it("sends to output 2 while another instance holds the lock, status grey follower", async function () {
    agent.lock("poll-plc", "b", 40);
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("an answer", () => agent.requestsOf("GET", "/tandem/role").length >= 1);
    await until("follower status", () => seen().some((s) => s.text === "follower"));
    assert.deepStrictEqual(last(seen()), { fill: "grey", shape: "ring", text: "follower" });
    const [out, msg] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), { payload: "x" });
    assert.strictEqual(out, 2);
    assert.deepStrictEqual(msg.tandem, { lock: "poll-plc", token: 0, instance: "a" });
  });

  it("becomes a follower at once when the agent reports the lock moved (long poll)", async function () {
    agent.lock("poll-plc", "a", 41);
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("leader", () => seen().some((s) => s.text === "leader (token 41)"));
    agent.lock("poll-plc", "b", 52);
    await until("follower", () => last(seen()).text === "follower", 1000);
    const [out] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 2);
  });

  it("stops passing as leader when the deadline passes with no answer from the agent (frozen agent)", async function () {
    agent.validForMillis = 400;
    agent.lock("poll-plc", "a", 41);
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("leader", () => seen().some((s) => s.text === "leader (token 41)"));
    const [out1] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out1, 1);
    agent.freeze();
    const frozenAt = Date.now();
    const answeredBefore = agent.requests.length;
    // still a leader right after the freeze (the last deadline is up to 400 ms ahead) ...
    await until("follower without any answer", () => last(seen()).text !== "leader (token 41)", 1500);
    const flipped = Date.now() - frozenAt;
    assert.ok(flipped <= 400 + 150, "the status left leader " + flipped + " ms after the freeze");
    const [out2, msg] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out2, 2, "a message after the deadline goes to the follower output");
    assert.strictEqual(msg.tandem.token, 0);
    // ... and no answer arrived meanwhile: the requests sent since were held, not answered
    assert.ok(agent.held.length >= 1 && agent.requests.length >= answeredBefore);
    agent.unfreeze();
    await until("leader again once the agent answers", () => last(seen()).text === "leader (token 41)");
  });

  it("decides per message from the deadline, even before any timer ran (a paused process)", async function () {
    agent.validForMillis = 300;
    agent.lock("poll-plc", "a", 41);
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("leader", () => seen().some((s) => s.text === "leader (token 41)"));
    agent.freeze();
    // block the event loop past the deadline, as a SIGSTOP would: no timer, no answer in between
    const end = Date.now() + 450;
    while (Date.now() < end) {
      // busy
    }
    const [out] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 2);
    agent.unfreeze();
  });

  it("shows no coordinator (red) and routes to output 2 when the agent does not answer", async function () {
    const port = agent.port;
    await agent.close();
    agent = await roleAgent({});
    helper.settings({ tandemNodes: { agentUrl: "http://127.0.0.1:" + port + "/", tokenFile: null,
      refreshMs: 40, retryMs: 100, requestTimeoutMs: 300 } });
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("red status", () => seen().some((s) => s.text === "no coordinator"));
    assert.deepStrictEqual(last(seen()), { fill: "red", shape: "ring", text: "no coordinator" });
    const [out] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 2);
  });

  it("shows no coordinator when the agent answers 503 (not linked to any coordinator)", async function () {
    agent.unlinked = true;
    settings();
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("a role request", () => agent.requestsOf("GET", "/tandem/role").length >= 1);
    await until("red status", () => seen().some((s) => s.text === "no coordinator"));
    agent.unlinked = false;
    agent.lock("poll-plc", "a", 9);
    await until("leader once linked", () => last(seen()).text === "leader (token 9)");
  });

  it("asks again for a wanted key that the agent forgot (the agent restarted)", async function () {
    settings();
    await helper.load(leaderNode, leaderFlow());
    await until("the PUT", () => agent.requestsOf("PUT").length === 1);
    agent.owners.clear();
    agent.set({});
    await until("a second PUT", () => agent.requestsOf("PUT").length === 2);
    assert.deepStrictEqual(agent.wanted("poll-plc"), ["n1"]);
  });

  it("reads cluster-leader's lockKey when there is no lock (a ported flow)", async function () {
    agent.lock("nodered:leader", "a", 7);
    settings();
    await helper.load(leaderNode, [
      { id: "n1", type: "tandem leader", lockKey: "nodered:leader", lockTTL: 10, wires: [["h1"], ["h2"]] },
      { id: "h1", type: "helper" }, { id: "h2", type: "helper" }]);
    await until("the PUT", () => agent.requestsOf("PUT").length === 1);
    assert.strictEqual(agent.requestsOf("PUT")[0].path, "/tandem/locks/nodered%3Aleader");
    const n1 = helper.getNode("n1");
    await until("leader", () => n1.context && [..._watchers.values()][0].lock("nodered:leader").held);
    const [out, msg] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 1);
    assert.strictEqual(msg.tandem.token, 7);
  });

  it("refuses an invalid key: red status, everything to output 2, nothing asked", async function () {
    settings();
    await helper.load(leaderNode, leaderFlow({ lock: "no spaces allowed" }));
    const n1 = helper.getNode("n1");
    const [out] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 2);
    await sleep(100);
    assert.strictEqual(agent.requestsOf("PUT").length, 0);
  });

  it("tandem role sends the role at start, on every change, and lock acquired/lost events", async function () {
    agent.set({ mode: "active-standby", role: "standby", active: "b", token: 12 });
    settings();
    await helper.load(roleNode, [
      { id: "r1", type: "tandem role", wires: [["h1"]] },
      { id: "h1", type: "helper" }]);
    const got = [];
    helper.getNode("h1").on("input", (m) => got.push(m));
    const r1 = helper.getNode("r1");
    const seen = statuses(r1);
    await until("the initial role", () => got.length === 1);
    assert.strictEqual(got[0].topic, "role");
    assert.strictEqual(got[0].payload, "standby");
    assert.deepStrictEqual(got[0].tandem, { group: "g", instance: "a", mode: "active-standby", role: "standby",
      active: "b", token: 12, revision: 3 });
    agent.set({ role: "active", active: "a", token: 15 });
    agent.lock("poll-plc", "a", 15);
    await until("active and the lock", () => got.length === 3);
    assert.deepStrictEqual(got.slice(1).map((m) => [m.topic, m.payload]), [["role", "active"], ["lock", "acquired"]]);
    assert.deepStrictEqual(got[2].tandem, { lock: "poll-plc", token: 15, instance: "a" });
    await until("status", () => last(seen()).text === "active, 1 lock");
    assert.strictEqual(last(seen()).fill, "green");
    agent.lock("poll-plc", "b", 20);
    await until("lost", () => got.length === 4);
    assert.deepStrictEqual([got[3].topic, got[3].payload, got[3].tandem.token], ["lock", "lost", 15]);
    agent.set({ role: "fenced" });
    await until("fenced", () => got.length === 5);
    assert.strictEqual(got[4].payload, "fenced");
    await until("red", () => last(seen()).fill === "red");
  });

  it("tandem role reports a lock lost when its deadline passes with the agent frozen", async function () {
    agent.validForMillis = 300;
    agent.lock("k1", "a", 3);
    settings();
    await helper.load(roleNode, [
      { id: "r1", type: "tandem role", initial: false, wires: [["h1"]] },
      { id: "h1", type: "helper" }]);
    const got = [];
    helper.getNode("h1").on("input", (m) => got.push(m));
    await until("acquired", () => got.length === 1);
    assert.deepStrictEqual([got[0].topic, got[0].payload], ["lock", "acquired"]);
    agent.freeze();
    await until("lost", () => got.length === 2, 1000);
    assert.deepStrictEqual([got[1].payload, got[1].tandem.lock], ["lost", "k1"]);
    agent.unfreeze();
  });

  it("sends the agent's token from tokenFile with every request", async function () {
    await agent.close();
    agent = await roleAgent({ authToken: "t0ken" });
    agent.lock("poll-plc", "a", 41);
    const dir = require("fs").mkdtempSync(require("path").join(require("os").tmpdir(), "tandem-nodes-"));
    const tokenFile = require("path").join(dir, "agent.token");
    require("fs").writeFileSync(tokenFile, "t0ken\n");
    settings({ tokenFile });
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const seen = statuses(n1);
    await until("leader", () => seen().some((s) => s.text === "leader (token 41)"));
    assert.deepStrictEqual(agent.wanted("poll-plc"), ["n1"]);
  });

  it("tandem role with initial off and one lock: no start message, only that key's events", async function () {
    agent.lock("other", "a", 4);
    settings();
    await helper.load(roleNode, [
      { id: "r1", type: "tandem role", initial: false, lock: "k1", wires: [["h1"]] },
      { id: "h1", type: "helper" }]);
    const got = [];
    helper.getNode("h1").on("input", (m) => got.push(m));
    await until("an answer", () => agent.requestsOf("GET", "/tandem/role").length >= 2);
    agent.lock("k1", "a", 6);
    await until("k1 acquired", () => got.length >= 1);
    await sleep(100);
    assert.deepStrictEqual(got.map((m) => [m.topic, m.payload, m.tandem.lock]), [["lock", "acquired", "k1"]]);
  });

  it("does not spin when the agent answers a long poll at once with the same version", async function () {
    agent.ignoreSince = true;
    settings();
    await helper.load(roleNode, [{ id: "r1", type: "tandem role", wires: [[]] }]);
    await sleep(600);
    const polls = agent.requestsOf("GET", "/tandem/role").filter((r) => r.query.includes("since=")).length;
    assert.ok(polls <= 8, polls + " long polls in 600 ms");
  });

  it("without RED.settings.tandemNodes: red 'not configured', every message to output 2", async function () {
    helper.settings({ tandemNodes: undefined });
    await helper.load(leaderNode, leaderFlow());
    const n1 = helper.getNode("n1");
    const [out, msg] = await route(n1, helper.getNode("h1"), helper.getNode("h2"), {});
    assert.strictEqual(out, 2);
    assert.strictEqual(msg.tandem.token, 0);
  });
});
