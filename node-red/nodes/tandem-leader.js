// `tandem leader`: lets a message through output 1 only while this instance holds the lock (a
// Tandem lock with a fencing token), through output 2 otherwise. The lock is asked for when the
// node starts (PUT /tandem/locks/KEY on the local agent) and given up when it stops (DELETE).
// Each message is decided from the local deadline of the lock (lib/role-watcher.js), never from a
// stale answer. A drop-in for node-red-contrib-cluster-leader: its lockKey is read as the key.
"use strict";
const { watcherFor, nodeSettings, validKey } = require("../lib/role-watcher.js");

module.exports = function (RED) {
  function TandemLeaderNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const key = String(config.lock || config.lockKey || "").trim();
    const watcher = watcherFor(nodeSettings(RED));
    if (!watcher) {
      node.status({ fill: "red", shape: "ring", text: "not configured" });
      node.error("tandem leader: Node-RED was not started with the Tandem agent's settings "
          + "(RED.settings.tandemNodes is missing): every message goes to output 2");
      node.on("input", (msg, send, done) => {
        msg.tandem = { lock: key, token: 0, instance: "" };
        send([null, msg]);
        done();
      });
      return;
    }
    if (!validKey(key)) {
      node.status({ fill: "red", shape: "ring", text: "invalid lock key" });
      node.error("tandem leader: the lock key " + JSON.stringify(key) + " is not 1 to 128 characters of "
          + "A-Z a-z 0-9 . _ : / -: every message goes to output 2");
    }

    let shown = "";
    function show() {
      const l = watcher.lock(key);
      let status;
      if (l.held) {
        status = { fill: "green", shape: "dot", text: "leader (token " + l.token + ")" };
      } else if (!watcher.attempted) {
        status = { fill: "yellow", shape: "ring", text: "connecting" };
      } else if (!watcher.coordinated()) {
        status = { fill: "red", shape: "ring", text: "no coordinator" };
      } else {
        status = { fill: "grey", shape: "ring", text: "follower" };
      }
      const text = JSON.stringify(status);
      if (text !== shown) {
        shown = text;
        node.status(status);
      }
    }

    watcher.on("update", show);
    watcher.acquire();
    if (validKey(key)) {
      watcher.want(key, node.id);
    }
    show();

    node.on("input", (msg, send, done) => {
      const l = validKey(key) ? watcher.lock(key) : { held: false, token: 0 };
      msg.tandem = { lock: key, token: l.token, instance: watcher.instance() || "" };
      if (l.held) {
        send([msg, null]);
      } else {
        send([null, msg]);
      }
      done();
    });

    node.on("close", (removed, done) => {
      watcher.removeListener("update", show);
      const gone = validKey(key) ? watcher.unwant(key, node.id) : Promise.resolve();
      watcher.release();
      gone.then(() => done(), () => done());
    });
  }

  RED.nodes.registerType("tandem leader", TandemLeaderNode);
};
