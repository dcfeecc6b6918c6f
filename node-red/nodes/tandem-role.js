// `tandem role`: sends a message when this instance's role changes (active, standby, member,
// starting, fenced) and when it acquires or loses a lock; its status shows the role.
"use strict";
const { watcherFor, nodeSettings } = require("../lib/role-watcher.js");

const LIVE = new Set(["active", "member"]);

module.exports = function (RED) {
  function TandemRoleNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const onRole = config.roleEvents !== false;
    const onLocks = config.lockEvents !== false;
    const initial = config.initial !== false;
    const only = String(config.lock || "").trim();
    const watcher = watcherFor(nodeSettings(RED));
    if (!watcher) {
      node.status({ fill: "red", shape: "ring", text: "not configured" });
      node.error("tandem role: Node-RED was not started with the Tandem agent's settings "
          + "(RED.settings.tandemNodes is missing)");
      return;
    }

    let role = null;          // the role last reported, null before the first answer
    let locks = new Map();    // key -> token, as last reported
    let shown = "";

    function details() {
      const s = watcher.state || {};
      return { group: s.group || "", instance: s.instance || "", mode: s.mode || "", role: role || "",
        active: s.active || "", token: s.token || 0, revision: s.revision || 0 };
    }

    function show() {
      let status;
      if (!watcher.attempted) {
        status = { fill: "yellow", shape: "ring", text: "connecting" };
      } else if (!watcher.coordinated()) {
        status = { fill: "red", shape: "ring", text: "no coordinator" + (role ? " (" + role + ")" : "") };
      } else {
        const n = locks.size;
        const text = role + (n > 0 ? ", " + n + (n === 1 ? " lock" : " locks") : "");
        status = { fill: LIVE.has(role) ? "green" : (role === "fenced" ? "red" : "grey"),
          shape: LIVE.has(role) ? "dot" : "ring", text };
      }
      const text = JSON.stringify(status);
      if (text !== shown) {
        shown = text;
        node.status(status);
      }
    }

    function update() {
      const s = watcher.state;
      if (s && watcher.reachable && typeof s.role === "string" && s.role !== role) {
        const first = role === null;
        role = s.role;
        if (onRole && (!first || initial)) {
          node.send({ topic: "role", payload: role, tandem: details() });
        }
      }
      if (role !== null) {
        const now = watcher.heldLocks();
        for (const [key, token] of now) {
          if (only && key !== only) {
            continue;
          }
          if (locks.get(key) !== token) {
            if (locks.has(key) && onLocks) {
              node.send({ topic: "lock", payload: "lost", tandem: { lock: key, token: locks.get(key),
                instance: details().instance } });
            }
            locks.set(key, token);
            if (onLocks) {
              node.send({ topic: "lock", payload: "acquired", tandem: { lock: key, token, instance: details().instance } });
            }
          }
        }
        for (const [key, token] of [...locks]) {
          if (!now.has(key)) {
            locks.delete(key);
            if (onLocks) {
              node.send({ topic: "lock", payload: "lost", tandem: { lock: key, token, instance: details().instance } });
            }
          }
        }
      }
      show();
    }

    watcher.on("update", update);
    watcher.acquire();
    update();

    node.on("close", (done) => {
      watcher.removeListener("update", update);
      watcher.release();
      done();
    });
  }

  RED.nodes.registerType("tandem role", TandemRoleNode);
};
