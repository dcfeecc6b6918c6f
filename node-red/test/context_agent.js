"use strict";
// A small stand-in for the agent's side of the context contract (docs/context.md), for the context
// store's tests: snapshot, long-poll changes with the writer handshake, write (async and sync), and
// a log of every request in the order it arrived or was answered.
const http = require("http");

const clone = (v) => JSON.parse(JSON.stringify(v));

function contextAgent(options) {
  const o = Object.assign({ version: 7, scopes: {}, writer: false, limits: { maxValueBytes: 1048576,
    maxGroupBytes: 33554432 }, snapshotStatus: 200 }, options);
  const agent = {
    version: o.version,
    scopes: clone(o.scopes),
    writer: o.writer,             // the mode the agent wants for the plugin
    acceptWrites: o.writer,       // false: POST write answers 409 tandem_standby
    snapshotStatus: o.snapshotStatus,
    limits: o.limits,
    token: o.token,
    events: [],                   // {type: "poll"|"post"|"posted"|"snapshot", ...}
    history: [],                  // {version, effects} per committed write
    corrections: [],
    holdPosts: false,
    held: [],
    polls: [],                    // long polls waiting: {since, writer, answer}
  };

  function effectsOf(ops) {
    const results = [];
    const effects = [];
    for (const op of ops) {
      const s = agent.scopes[op.scope] = agent.scopes[op.scope] || {};
      if (op.op === "set") {
        s[op.key] = op.value;
        effects.push({ scope: op.scope, key: op.key, value: op.value });
        results.push({ ok: true, value: op.value });
      } else if (op.op === "delete") {
        delete s[op.key];
        effects.push({ scope: op.scope, key: op.key, deleted: true });
        results.push({ ok: true });
      } else if (op.op === "deleteScope") {
        delete agent.scopes[op.scope];
        effects.push({ scope: op.scope, scopeDeleted: true });
        results.push({ ok: true });
      } else if (op.op === "increment") {
        const cur = s[op.key];
        if (cur !== undefined && typeof cur !== "number") {
          results.push({ ok: false, message: "context value " + op.scope + "/" + op.key + " is not a number", value: cur });
          continue;
        }
        s[op.key] = (cur || 0) + op.delta;
        effects.push({ scope: op.scope, key: op.key, value: s[op.key] });
        results.push({ ok: true, value: s[op.key] });
      } else if (op.op === "cas") {
        const cur = s[op.key];
        const matches = op.hasExpected ? cur !== undefined && JSON.stringify(cur) === JSON.stringify(op.expected)
          : cur === undefined;
        if (!matches) {
          results.push({ ok: false, message: "the current value differs", value: cur });
          continue;
        }
        s[op.key] = op.value;
        effects.push({ scope: op.scope, key: op.key, value: op.value });
        results.push({ ok: true, value: op.value });
      }
    }
    return { results, effects };
  }

  /** Commits ops as one entry (a flow's writes, or another writer's before a handover). */
  agent.commit = function (ops) {
    const r = effectsOf(ops);
    agent.version += 1;
    agent.history.push({ version: agent.version, effects: r.effects });
    agent.wake();
    return r.results;
  };

  function changesFor(since) {
    const onChain = since > 0 && (since === o.version || agent.history.some((h) => h.version === since));
    const reply = { version: agent.version, writer: agent.writer };
    if (!onChain) {
      reply.full = clone(agent.scopes);
    } else {
      reply.ops = agent.history.filter((h) => h.version > since).flatMap((h) => h.effects);
      reply.corrections = agent.corrections.splice(0);
    }
    return reply;
  }

  function ready(p) {
    return p.writer !== agent.writer || p.since !== agent.version || agent.corrections.length > 0;
  }

  agent.wake = function () {
    for (const p of agent.polls.splice(0)) {
      if (ready(p)) {
        p.answer(200, changesFor(p.since));
      } else {
        agent.polls.push(p);
      }
    }
  };

  agent.releasePosts = function () {
    agent.holdPosts = false;
    for (const h of agent.held.splice(0)) {
      h();
    }
  };

  function handle(req, url, body, answer) {
    if (agent.token && req.headers["x-tandem-token"] !== agent.token) {
      return answer(401, { message: "no token" });
    }
    if (req.method === "GET" && url.pathname === "/tandem/context/snapshot") {
      agent.events.push({ type: "snapshot" });
      if (agent.snapshotStatus !== 200) {
        return answer(agent.snapshotStatus, { code: "tandem_unavailable", message: "no replica yet" });
      }
      return answer(200, { version: agent.version, writer: agent.writer, limits: agent.limits, scopes: clone(agent.scopes) });
    }
    if (req.method === "GET" && url.pathname === "/tandem/context/changes") {
      const p = { since: Number(url.searchParams.get("since")), writer: url.searchParams.get("writer") === "1",
        waitMs: Number(url.searchParams.get("waitMs")) };
      agent.events.push(Object.assign({ type: "poll" }, p));
      let done = false;
      p.answer = (status, reply) => {
        if (!done) {
          done = true;
          clearTimeout(p.timer);
          answer(status, reply);
        }
      };
      if (ready(p)) {
        return p.answer(200, changesFor(p.since));
      }
      p.timer = setTimeout(() => {
        agent.polls = agent.polls.filter((x) => x !== p);
        p.answer(200, { version: agent.version, writer: agent.writer, ops: [] });
      }, Math.min(p.waitMs, 4000));
      agent.polls.push(p);
      return undefined;
    }
    if (req.method === "POST" && url.pathname === "/tandem/context/write") {
      const event = { type: "post", ops: body.ops, sync: body.sync };
      agent.events.push(event);
      const finish = () => {
        if (!agent.acceptWrites) {
          agent.events.push({ type: "posted", status: 409 });
          return answer(409, { code: "tandem_standby", message: "this instance is the standby: flows on it do not "
              + "run and cannot write context" });
        }
        const results = agent.commit(body.ops);
        agent.events.push({ type: "posted", status: body.sync ? 200 : 202 });
        return body.sync ? answer(200, { version: agent.version, results }) : answer(202, { accepted: body.ops.length });
      };
      if (agent.holdPosts) {
        agent.held.push(finish);
        return undefined;
      }
      return finish();
    }
    return answer(404, { message: "not found" });
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const answer = (status, reply) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(reply));
      };
      handle(req, new URL(req.url, "http://x"), text ? JSON.parse(text) : undefined, answer);
    });
  });
  agent.posts = () => agent.events.filter((e) => e.type === "post");
  agent.pollEvents = () => agent.events.filter((e) => e.type === "poll");
  agent.close = () => new Promise((r) => {
    for (const p of agent.polls.splice(0)) {
      p.answer(200, { version: agent.version, writer: agent.writer, ops: [] });
    }
    agent.releasePosts();
    server.close(r);
    server.closeAllConnections();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    agent.url = "http://127.0.0.1:" + server.address().port;
    resolve(agent);
  }));
}

module.exports = contextAgent;
