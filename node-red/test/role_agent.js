"use strict";
// A small stand-in for the agent's local API that the Tandem nodes use (docs/locks.md):
// GET /tandem/role (with the long poll since=V&waitMs=N), PUT and DELETE /tandem/locks/KEY, and a
// log of every request. Tests change the state with set() and lock(), freeze() it (requests are
// held and never answered) or make it answer 503 (not linked to a coordinator).
const http = require("http");

function roleAgent(options) {
  const o = Object.assign({ instance: "a", group: "g", mode: "all-active", role: "member", token: 5,
    revision: 3, validForMillis: 2000 }, options);
  const agent = {
    state: { version: 1, group: o.group, instance: o.instance, mode: o.mode, role: o.role, active: "",
      activeEditorUrl: "", token: o.token, revision: o.revision, leaseLeftMillis: o.validForMillis,
      coordinator: true },
    locks: new Map(),      // key -> {key, held, token, holder}
    owners: new Map(),     // key -> Set of owners
    validForMillis: o.validForMillis,
    token: o.authToken,
    frozen: false,
    unlinked: false,
    requests: [],          // {method, path, query, body}
    polls: [],
    held: [],
  };

  function lockView(key) {
    const l = agent.locks.get(key) || { key, held: false, token: 0, holder: "" };
    const mine = l.holder === agent.state.instance;
    return { key, held: mine, token: l.token, holder: l.holder, wanted: (agent.owners.get(key) || new Set()).size > 0,
      validForMillis: mine ? agent.validForMillis : 0 };
  }

  function roleBody() {
    const keys = new Set([...agent.locks.keys(), ...agent.owners.keys()]);
    return Object.assign({}, agent.state, { coordinator: !agent.unlinked && agent.state.coordinator,
      locks: [...keys].sort().map(lockView) });
  }

  function wake() {
    for (const p of agent.polls.splice(0)) {
      clearTimeout(p.timer);
      p.answer(agent.unlinked ? 503 : 200, roleBody());
    }
  }

  /** Changes the state (fields of the role answer); bumps the version and wakes the long polls. */
  agent.set = function (fields) {
    Object.assign(agent.state, fields);
    agent.state.version += 1;
    wake();
  };

  /** The group's lock key: holder ("" free) and token. */
  agent.lock = function (key, holder, token) {
    agent.locks.set(key, { key, held: holder !== "", token, holder });
    agent.state.version += 1;
    wake();
  };

  agent.freeze = function () {
    agent.frozen = true;
  };

  agent.unfreeze = function () {
    agent.frozen = false;
    for (const h of agent.held.splice(0)) {
      h();
    }
  };

  agent.wanted = (key) => [...(agent.owners.get(key) || [])];

  function handle(req, url, body, answer) {
    if (agent.token && req.headers["x-tandem-token"] !== agent.token) {
      return answer(401, { error: "no or wrong token" });
    }
    const m = /^\/tandem\/locks\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && url.pathname === "/tandem/role") {
      const since = url.searchParams.get("since");
      if (agent.unlinked) {
        return answer(503, roleBody());
      }
      if (since !== null && Number(since) === agent.state.version && !agent.ignoreSince) {
        const p = { answer };
        p.timer = setTimeout(() => {
          agent.polls = agent.polls.filter((x) => x !== p);
          answer(200, roleBody());
        }, Math.min(Number(url.searchParams.get("waitMs") || 25000), 30000));
        agent.polls.push(p);
        return undefined;
      }
      return answer(200, roleBody());
    }
    if (m && req.method === "PUT") {
      const key = decodeURIComponent(m[1]);
      if (!body || typeof body.owner !== "string") {
        return answer(400, { error: "the body needs an owner" });
      }
      const owners = agent.owners.get(key) || new Set();
      const before = owners.size;
      owners.add(body.owner);
      agent.owners.set(key, owners);
      if (before === 0) {
        agent.state.version += 1;
        wake();
      }
      return answer(200, lockView(key));
    }
    if (m && req.method === "DELETE") {
      const key = decodeURIComponent(m[1]);
      const owners = agent.owners.get(key) || new Set();
      owners.delete(url.searchParams.get("owner"));
      if (owners.size === 0) {
        agent.owners.delete(key);
        const l = agent.locks.get(key);
        if (l && l.holder === agent.state.instance) {
          agent.locks.set(key, { key, held: false, token: l.token, holder: "" });
        }
        agent.state.version += 1;
        wake();
      }
      return answer(200, lockView(key));
    }
    return answer(404, { error: "not found" });
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url, "http://x");
      const body = text ? JSON.parse(text) : undefined;
      agent.requests.push({ method: req.method, path: url.pathname, query: url.search, body });
      const answer = (status, reply) => {
        if (!res.writableEnded) {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(reply));
        }
      };
      const go = () => handle(req, url, body, answer);
      if (agent.frozen) {
        agent.held.push(go);
      } else {
        go();
      }
    });
  });
  agent.requestsOf = (method, path) => agent.requests.filter((r) => r.method === method && (!path || r.path === path));
  agent.close = () => new Promise((resolve) => {
    for (const p of agent.polls.splice(0)) {
      clearTimeout(p.timer);
    }
    agent.held.splice(0);
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return new Promise((resolve) => server.listen(o.port || 0, "127.0.0.1", () => {
    agent.port = server.address().port;
    agent.url = "http://127.0.0.1:" + agent.port;
    resolve(agent);
  }));
}

module.exports = roleAgent;
