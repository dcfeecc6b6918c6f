"use strict";
// The runtime half of the editor sidebar: its admin route proxies the agent's /tandem/role.
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");
const express = require("express");
const plugin = require("../plugins/tandem-sidebar.js");
const roleAgent = require("./role_agent.js");

function get(port, p) {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: p }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    }).on("error", reject);
  });
}

describe("tandem sidebar plugin (runtime half)", function () {
  let agent;
  let server;
  let tokenFile;

  async function serve(settings) {
    const app = express();
    const registered = [];
    const RED = {
      settings: { tandemNodes: settings },
      plugins: { registerPlugin: (id, def) => registered.push([id, def]) },
      auth: { needsPermission: (p) => (req, res, next) => { req.permission = p; next(); } },
      httpAdmin: app,
    };
    plugin(RED);
    app.use((req, res) => res.status(404).json({}));
    await new Promise((r) => { server = app.listen(0, "127.0.0.1", r); });
    return registered;
  }

  beforeEach(async function () {
    agent = await roleAgent({ authToken: "s3cret" });
    tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tandem-sidebar-")), "agent.token");
    fs.writeFileSync(tokenFile, "s3cret\n");
  });

  afterEach(async function () {
    if (server) {
      server.close();
      server.closeAllConnections();
      server = null;
    }
    await agent.close();
  });

  it("registers the plugin and answers GET /tandem/role with the agent's answer, sending the agent's token", async function () {
    const registered = await serve({ agentUrl: agent.url + "/", tokenFile, tokenHeader: "x-tandem-token" });
    assert.deepStrictEqual(registered.map((r) => r[0]), ["tandem-sidebar"]);
    agent.set({ mode: "active-standby", role: "standby", active: "b", activeEditorUrl: "http://127.0.0.1:1880/" });
    const r = await get(server.address().port, "/tandem/role");
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.body.role, "standby");
    assert.strictEqual(r.body.active, "b");
    assert.strictEqual(r.body.activeEditorUrl, "http://127.0.0.1:1880/");
  });

  it("passes the long poll on (since, waitMs) and answers when the agent's state changes", async function () {
    await serve({ agentUrl: agent.url, tokenFile });
    const v = agent.state.version;
    const pending = get(server.address().port, "/tandem/role?since=" + v + "&waitMs=5000");
    await new Promise((r) => setTimeout(r, 100));
    agent.set({ role: "active" });
    const r = await pending;
    assert.strictEqual(r.body.role, "active");
    assert.strictEqual(r.body.version, v + 1);
    assert.strictEqual(agent.requestsOf("GET", "/tandem/role")[0].query, "?since=" + v + "&waitMs=5000");
  });

  it("answers 502 with the reason when the agent does not answer, 503 without tandemNodes", async function () {
    const port = agent.port;
    await agent.close();
    agent = await roleAgent({});
    await serve({ agentUrl: "http://127.0.0.1:" + port, tokenFile });
    const r = await get(server.address().port, "/tandem/role");
    assert.strictEqual(r.status, 502);
    assert.match(r.body.error, /does not answer/);
    server.close();
    server.closeAllConnections();
    await serve(undefined);
    const r2 = await get(server.address().port, "/tandem/role");
    assert.strictEqual(r2.status, 503);
  });

  it("the package names its nodes and plugin for Node-RED, and every file exists", function () {
    const pkg = require("../package.json");
    const all = Object.assign({}, pkg["node-red"].nodes, pkg["node-red"].plugins);
    assert.deepStrictEqual(Object.keys(all).sort(), ["tandem-leader", "tandem-role", "tandem-sidebar"]);
    for (const file of Object.values(all)) {
      assert.ok(fs.existsSync(path.join(__dirname, "..", file)), file);
      assert.ok(fs.existsSync(path.join(__dirname, "..", file.replace(/\.js$/, ".html"))), file + " has its .html");
    }
  });
});
