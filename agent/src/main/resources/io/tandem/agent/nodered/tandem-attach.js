// Installed by `tandem-agent --install-attach-files USERDIR` for attach mode (a Node-RED that
// something else runs and a Tandem agent drives); overwritten by that command, do not edit.
// In that Node-RED's settings.js, wrap your settings:
//
//   module.exports = require("./tandem-attach.js")({
//     // ... your settings, as before ...
//   }, { tokenFile: "/etc/tandem/plc-a.token" });   // the agent's nodeRed.tokenFile
//
// It adds what the agent needs and nothing else: runtimeState (flows started and stopped by the
// agent only: the editor's menu items are hidden and other requests refused, see tandem-guard.js),
// the agent's admin token in the header x-tandem-token next to your own adminAuth (none is added
// when you have none), and the fencing
// token object that flows read with global.get("tandem").token (set through nodes/tandem-fence.js).
//
// The Tandem context store (docs/context.md): with the agent's context.enabled (the default) the
// agent starts flows only once this store proved it is the writer, so register it here:
//
//   }, { tokenFile: "/etc/tandem/plc-a.token",
//        context: { agentUrl: "http://127.0.0.1:7401/", default: false } });
//
// (agentUrl: the agent's http address; default: true makes "tandem" the default store). Flows then
// also get the atomic helpers as global.get("tandem").context.
//
// The Tandem nodes (tandem leader, tandem role) and the editor sidebar (docs/locks.md) are loaded from
// .tandem-nodes next to this file (added to nodesDir) and call the agent at options.agentUrl, or else
// at options.context.agentUrl; with neither they are not loaded:
//
//   }, { tokenFile: "/etc/tandem/plc-a.token", agentUrl: "http://127.0.0.1:7401/",
//        context: { agentUrl: "http://127.0.0.1:7401/" } });
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const guardFlowsState = require(path.join(__dirname, "tandem-guard.js"));

const TOKEN_HEADER = "x-tandem-token";
const PERMISSIONS = ["flows.read", "flows.write"];

module.exports = function tandemAttach(user, options) {
  user = user || {};
  if (!options || !options.tokenFile) {
    throw new Error("Tandem: require(\"./tandem-attach.js\")(settings, { tokenFile: ... }) needs the "
        + "agent's nodeRed.tokenFile");
  }
  const expected = crypto.createHash("sha256")
      .update(fs.readFileSync(options.tokenFile, "utf8").trim()).digest();
  function isAgentToken(presented) {
    const got = crypto.createHash("sha256").update(String(presented)).digest();
    return crypto.timingSafeEqual(got, expected);
  }
  const settings = Object.assign({}, user);
  settings.runtimeState = Object.assign({}, user.runtimeState, { enabled: true, ui: false });

  const userAuth = user.adminAuth ? Object.assign({}, user.adminAuth, user.adminAuth.module) : null;
  const adminAuth = Object.assign({}, userAuth);
  delete adminAuth.module;
  if (!userAuth) {
    // never widen access: no adminAuth of your own, none is added (the agent-only routes check the agent's token)
    console.warn("Tandem: settings.js has no adminAuth: the Node-RED editor and admin API are open to whoever "
        + "reaches their port (as without Tandem). Add adminAuth to require a login; only the agent starts/stops "
        + "flows and sets the fencing token either way.");
  }
  const userTokens = userAuth && typeof userAuth.tokens === "function" ? userAuth.tokens : null;
  adminAuth.tokens = function (token) {
    if (isAgentToken(token)) {
      return Promise.resolve({ username: "tandem-agent", permissions: PERMISSIONS });
    }
    return userTokens ? Promise.resolve(userTokens(token)) : Promise.resolve(null);
  };
  adminAuth.tokenHeader = TOKEN_HEADER;
  settings.adminAuth = userAuth ? adminAuth : undefined;
  settings.httpAdminMiddleware = guardFlowsState(user.httpAdminMiddleware, isAgentToken, TOKEN_HEADER);

  let contextHelpers = null;
  if (options.context) {
    if (!options.context.agentUrl) {
      throw new Error("Tandem: options.context needs agentUrl, the agent's http address (e.g. http://127.0.0.1:7401/)");
    }
    const contextModule = require(path.join(__dirname, "tandem-context.js"));
    contextHelpers = contextModule.helpers || null;
    const own = Object.assign({}, user.contextStorage);
    delete own.tandem;
    const stores = {};
    if (options.context.default === true) {
      if (own.default && typeof own.default !== "string") {
        own.localDefault = own.default;
      }
      delete own.default;
      stores.default = "tandem";
    } else if (!own.default) {
      const first = Object.keys(own)[0];
      stores.default = first !== undefined ? first : "memory";
      if (first === undefined) {
        stores.memory = { module: "memory" };
      }
    }
    Object.assign(stores, own);
    stores.tandem = { module: contextModule, config: { agentUrl: options.context.agentUrl,
      tokenFile: options.tokenFile, tokenHeader: TOKEN_HEADER } };
    settings.contextStorage = stores;
  }

  const nodesAgentUrl = options.agentUrl || (options.context && options.context.agentUrl);
  if (nodesAgentUrl) {
    const own = user.nodesDir === undefined || user.nodesDir === null ? [] : [].concat(user.nodesDir);
    settings.nodesDir = own.concat([path.join(__dirname, ".tandem-nodes")]);
    settings.tandemNodes = { agentUrl: nodesAgentUrl, tokenFile: options.tokenFile, tokenHeader: TOKEN_HEADER };
  }

  const fence = { token: 0 };
  const visible = {};
  Object.defineProperty(visible, "token", { enumerable: true, get: () => fence.token });
  if (contextHelpers) {
    Object.defineProperty(visible, "context", { enumerable: true, value: contextHelpers });
  }
  Object.freeze(visible);
  globalThis[Symbol.for("io.tandem.fence")] = guardFlowsState.armFence(fence, isAgentToken, TOKEN_HEADER);
  settings.functionGlobalContext = Object.assign({}, user.functionGlobalContext, { tandem: visible });
  return settings;
};
