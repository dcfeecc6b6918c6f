"use strict";
// The storage plugin against a small HTTP server standing in for the agent's loopback endpoints
// (the real agent is exercised with real Node-RED by the agent module's Java tests).
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");
const storageModule = require("../lib/storage.js");

const TOKEN = "t0ken-for-tests";

function fakeAgent(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const r = { method: req.method, url: req.url, token: req.headers["x-tandem-token"],
        body: text ? JSON.parse(text) : undefined, raw: text };
      requests.push(r);
      const [status, body] = handler(r) || [404, { message: "not found" }];
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    server, requests, url: "http://127.0.0.1:" + server.address().port,
    close: () => new Promise((r) => server.close(r)),
  })));
}

function tempUserDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-storage-"));
  fs.writeFileSync(path.join(dir, "agent.token"), TOKEN + "\n");
  return dir;
}

function settingsFor(userDir, agentUrl, extra) {
  return Object.assign({ userDir, tandemStorage: { agentUrl, tokenFile: path.join(userDir, "agent.token") } }, extra);
}

/** A port nothing listens on: bound, then closed. */
async function deadUrl() {
  const a = await fakeAgent(() => [200, {}]);
  const url = a.url;
  await a.close();
  return url;
}

describe("tandem storage plugin", function () {
  let userDir;
  let agent;

  beforeEach(() => {
    userDir = tempUserDir();
  });

  afterEach(async () => {
    if (agent) {
      await agent.close();
      agent = null;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it("loads the agent's revision and authenticates with the agent's token", async () => {
    const flows = [{ id: "n1", type: "tab" }];
    agent = await fakeAgent((r) => r.url === "/tandem/storage/flows"
      ? [200, { revision: 7, flows, credentials: { $: "abc" } }] : [204]);
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    assert.deepStrictEqual(await s.getFlows(), flows);
    assert.deepStrictEqual(await s.getCredentials(), { $: "abc" });
    assert.ok(agent.requests.every((r) => r.token === TOKEN), "every call carries the token");
  });

  it("boots from the local copy when the agent does not answer", async () => {
    const local = { revision: 5, flows: [{ id: "local", type: "tab" }], credentials: { $: "enc" } };
    fs.mkdirSync(path.join(userDir, ".tandem"));
    fs.writeFileSync(path.join(userDir, ".tandem", "current.json"), JSON.stringify(local));
    const s = storageModule.create();
    await s.init(settingsFor(userDir, await deadUrl()));
    assert.deepStrictEqual(await s.getFlows(), local.flows);
    assert.deepStrictEqual(await s.getCredentials(), local.credentials);
  });

  it("without any revision runs this host's own flows file, found as localfilesystem finds it", async () => {
    const own = [{ id: "own", type: "tab" }];
    fs.writeFileSync(path.join(userDir, "my-flows.json"), JSON.stringify(own));
    fs.writeFileSync(path.join(userDir, "my-flows_cred.json"), JSON.stringify({ $: "owncreds" }));
    agent = await fakeAgent((r) => r.url === "/tandem/storage/flows" ? [200, { revision: 0 }] : [204]);
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url, { flowFile: "my-flows.json" }));
    assert.deepStrictEqual(await s.getFlows(), own);
    assert.deepStrictEqual(await s.getCredentials(), { $: "owncreds" });
    const report = agent.requests.find((r) => r.url === "/tandem/storage/runtime");
    assert.strictEqual(report.body.flowFile, path.join(userDir, "my-flows.json"));
    assert.strictEqual(report.body.credentialsFile, path.join(userDir, "my-flows_cred.json"));
  });

  it("sends credentials and flows of one deploy as one request", async () => {
    agent = await fakeAgent((r) => {
      if (r.url === "/tandem/storage/flows") {
        return [200, { revision: 3, flows: [], credentials: { $: "old" } }];
      }
      if (r.url === "/tandem/storage/deploy") {
        return [200, { revision: 9 }];
      }
      return [204];
    });
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    await s.getFlows();
    await s.saveCredentials({ $: "new" });
    await s.saveFlows([{ id: "a", type: "tab" }], { username: "alice" });
    await s.saveFlows([{ id: "b", type: "tab" }], null);
    const deploys = agent.requests.filter((r) => r.url === "/tandem/storage/deploy");
    assert.strictEqual(deploys.length, 2, "saveCredentials alone sends nothing");
    assert.deepStrictEqual(deploys[0].body, { flows: [{ id: "a", type: "tab" }], credentials: { $: "new" }, user: "alice",
      baseRevision: 3 });
    assert.deepStrictEqual(deploys[1].body.credentials, { $: "new" }, "a deploy without changed credentials keeps the last ones");
    assert.strictEqual(deploys[1].body.baseRevision, 9, "the next deploy goes on top of the revision the last one committed");
  });

  it("a deploy goes on top of the revision the runtime loaded, also from the local copy", async () => {
    fs.mkdirSync(path.join(userDir, ".tandem"), { recursive: true });
    fs.writeFileSync(path.join(userDir, ".tandem", "current.json"), JSON.stringify({ revision: 5, flows: [], credentials: {} }));
    let answering = false;
    agent = await fakeAgent((r) => {
      if (r.url === "/tandem/storage/flows") {
        return answering ? [200, { revision: 0 }] : [503, { message: "busy" }];
      }
      return r.url === "/tandem/storage/deploy" ? [200, { revision: 6 }] : [204];
    });
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    await s.getFlows();
    await s.saveFlows([], null);
    answering = true;
    await s.getFlows();
    await s.saveFlows([], null);
    const bases = agent.requests.filter((r) => r.url === "/tandem/storage/deploy").map((r) => r.body.baseRevision);
    assert.deepStrictEqual(bases, [5, 0], "revision 5 read from the local copy, then the own flows (revision 0)");
  });

  it("rejects saveFlows with the agent's message, which the editor shows", async () => {
    agent = await fakeAgent((r) => r.url === "/tandem/storage/deploy"
      ? [409, { code: "not_active", message: "this instance is the standby; the active is b" }] : [204]);
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    await assert.rejects(s.saveFlows([], null), (e) => {
      assert.match(e.message, /this instance is the standby; the active is b/);
      assert.strictEqual(e.status, 409);
      assert.strictEqual(e.code, "not_active");
      return true;
    });
  });

  it("a deploy while the agent is away fails visibly", async () => {
    const s = storageModule.create();
    await s.init(settingsFor(userDir, await deadUrl()));
    await assert.rejects(s.saveFlows([{ id: "x", type: "tab" }], null), (e) => {
      assert.match(e.message, /Deploy not saved: the Tandem agent at .* does not answer/);
      assert.strictEqual(e.status, 503);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(userDir, ".tandem", "current.json")), "nothing written locally");
  });

  it("keeps Node-RED's per-instance runtime settings local and replicates only the editor's user settings", async () => {
    agent = await fakeAgent((r) => r.url === "/tandem/storage/editor"
      ? [200, { settings: null, library: {}, sessions: null }] : [204]);
    fs.writeFileSync(path.join(userDir, ".config.runtime.json"), JSON.stringify({ runtimeFlowState: "stop" }));
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    const loaded = await s.getSettings();
    assert.strictEqual(loaded.runtimeFlowState, "stop", "the agent's stop before launch is seen");
    await s.saveSettings({
      runtimeFlowState: "stop", instanceId: "i-1", _credentialSecret: "s3cret",
      nodes: { "node-red": { name: "node-red" } }, users: { alice: { editor: { view: { grid: true } } } },
    });
    const runtime = JSON.parse(fs.readFileSync(path.join(userDir, ".config.runtime.json"), "utf8"));
    assert.deepStrictEqual(runtime, { runtimeFlowState: "stop", instanceId: "i-1", _credentialSecret: "s3cret" });
    assert.ok(fs.existsSync(path.join(userDir, ".config.nodes.json")));
    const puts = agent.requests.filter((r) => r.method === "PUT");
    assert.deepStrictEqual(puts.map((r) => r.url), ["/tandem/storage/settings"]);
    assert.deepStrictEqual(puts[0].body, { alice: { editor: { view: { grid: true } } } });
    assert.ok(agent.requests.every((r) => !r.raw.includes("s3cret")), "the secret never leaves the host");
    const digests = agent.requests.filter((r) => r.url === "/tandem/storage/runtime").map((r) => r.body.credentialKeyDigest);
    assert.strictEqual(digests[digests.length - 1], storageModule.credentialKeyDigest("s3cret"));
    await s.saveSettings({ runtimeFlowState: "start", instanceId: "i-1", _credentialSecret: "s3cret",
      users: { alice: { editor: { view: { grid: true } } } } });
    assert.strictEqual(agent.requests.filter((r) => r.method === "PUT").length, 1, "unchanged users are not resent");
  });

  it("the group's editor settings replace the local ones", async () => {
    agent = await fakeAgent((r) => r.url === "/tandem/storage/editor"
      ? [200, { settings: { bob: { x: 1 } }, library: {}, sessions: { tok: { user: "bob" } } }] : [204]);
    fs.writeFileSync(path.join(userDir, ".config.users.json"), JSON.stringify({ old: {} }));
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    assert.deepStrictEqual((await s.getSettings()).users, { bob: { x: 1 } });
    assert.deepStrictEqual(await s.getSessions(), { tok: { user: "bob" } });
  });

  it("the credential key digest is an HMAC of the secret, and marks unencrypted credentials", () => {
    const d = storageModule.credentialKeyDigest("abc");
    assert.match(d, /^[0-9a-f]{64}$/);
    assert.notStrictEqual(d, storageModule.credentialKeyDigest("abd"));
    assert.strictEqual(storageModule.credentialKeyDigest(false), "unencrypted");
    assert.strictEqual(storageModule.credentialKeyDigest(undefined), "");
  });

  it("a credentialSecret in settings.js wins over the runtime's generated one", async () => {
    agent = await fakeAgent(() => [204]);
    fs.writeFileSync(path.join(userDir, ".config.runtime.json"), JSON.stringify({ _credentialSecret: "generated" }));
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url, { credentialSecret: "shared" }));
    const report = agent.requests.find((r) => r.url === "/tandem/storage/runtime");
    assert.strictEqual(report.body.credentialKeyDigest, storageModule.credentialKeyDigest("shared"));
  });

  it("library entries replicate and list like localfilesystem's", async () => {
    const library = {};
    agent = await fakeAgent((r) => {
      if (r.url === "/tandem/storage/editor") {
        return [200, { settings: null, library, sessions: null }];
      }
      if (r.method === "PUT" && r.url.startsWith("/tandem/storage/library?key=")) {
        library[decodeURIComponent(r.url.substring("/tandem/storage/library?key=".length))] = r.body;
        return [204];
      }
      return [204];
    });
    const s = storageModule.create();
    await s.init(settingsFor(userDir, agent.url));
    await s.saveLibraryEntry("functions", "dir/f1.js", { name: "f1" }, "return msg;");
    await s.saveLibraryEntry("flows", "myflow", {}, "[]");
    assert.strictEqual(await s.getLibraryEntry("functions", "dir/f1.js"), "return msg;");
    assert.deepStrictEqual(await s.getLibraryEntry("functions", ""), ["dir"]);
    assert.deepStrictEqual(await s.getLibraryEntry("functions", "dir"), [{ name: "f1", fn: "f1.js" }]);
    assert.strictEqual(await s.getLibraryEntry("flows", "myflow"), "[]");
    await assert.rejects(s.getLibraryEntry("functions", "nope.js"), /Library Entry not found/);
  });
});
