// Written by the Tandem agent before every launch of Node-RED. Do not edit: it is overwritten.
// Your own settings stay in settings.js next to this file; this file loads them and adds only
// what the agent needs: runtimeState (start/stop of flows over the admin API, by the agent only:
// see tandem-guard.js), the agent's admin token (header x-tandem-token), the listen address, the
// Tandem context store (contextStorage.tandem, beside your own stores), the Tandem nodes and editor
// sidebar (nodesDir, tandemNodes), and the object that flows
// read with global.get("tandem"): the fencing token and the atomic context helpers.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const tandem = /*TANDEM_CONFIG*/;

// Without a settings.js in the userDir, Node-RED would copy its default one there: load that default instead.
const defaultSettingsFile = require.main && require.main.filename
    ? path.join(path.dirname(require.main.filename), "settings.js") : null;
const user = fs.existsSync(tandem.userSettingsFile) ? require(tandem.userSettingsFile)
    : (defaultSettingsFile && fs.existsSync(defaultSettingsFile) ? require(defaultSettingsFile) : {});
const settings = Object.assign({}, user);

// https in settings.js: the agent talks HTTPS to the admin API, trusting only nodeRed.adminCa.
if (settings.https && !tandem.httpsTrusted) {
  throw new Error("Tandem: settings.js enables https, but the agent's YAML has no nodeRed.adminCa: set it to "
      + "the PEM certificate (or its CA) of your https settings, for a certificate that names " + tandem.host
      + ", or remove https and terminate TLS in a proxy in front of Node-RED.");
}
const adminRoot = settings.httpRoot === false ? false : (settings.httpAdminRoot ?? settings.httpRoot ?? "/");
if (adminRoot === false) {
  throw new Error("Tandem: settings.js disables the admin API (httpAdminRoot/httpRoot false); "
      + "the agent needs it to start and stop flows.");
}

// Start/stop of flows through POST /flows/state; the agent persists "stop" before every launch.
// No editor menu items: only the agent starts and stops flows (the guard below refuses others).
settings.runtimeState = Object.assign({}, user.runtimeState, { enabled: true, ui: false });
settings.uiHost = tandem.host;
settings.uiPort = tandem.port;

// The agent's static token, compared in constant time (both sides hashed to the same length).
const expected = crypto.createHash("sha256").update(fs.readFileSync(tandem.tokenFile, "utf8").trim()).digest();
function isAgentToken(presented) {
  const got = crypto.createHash("sha256").update(String(presented)).digest();
  return crypto.timingSafeEqual(got, expected);
}
// Never widen access: without adminAuth in settings.js the editor stays exactly as open as it was (no
// adminAuth is added; the agent-only routes check the agent's token themselves, see tandem-guard.js);
// with adminAuth, the user's users and default stay and only the agent's token is added.
const userAuth = user.adminAuth ? Object.assign({}, user.adminAuth, user.adminAuth.module) : null;
const adminAuth = Object.assign({}, userAuth);
delete adminAuth.module;
if (!userAuth) {
  console.warn("Tandem: settings.js has no adminAuth: the Node-RED editor and admin API on " + tandem.host + ":"
      + tandem.port + " are open to whoever reaches that port (as without Tandem). Add adminAuth to settings.js "
      + "to require a login; only the agent starts/stops flows and sets the fencing token either way.");
}
const userTokens = userAuth && typeof userAuth.tokens === "function" ? userAuth.tokens : null;
if (userAuth && userAuth.tokens && !userTokens) {
  console.warn("Tandem: adminAuth.tokens in settings.js is not a function; it is replaced by the agent's token check.");
}
if (userTokens && userAuth.tokenHeader && String(userAuth.tokenHeader).toLowerCase() !== tandem.tokenHeader) {
  console.warn("Tandem: adminAuth.tokenHeader " + userAuth.tokenHeader + " is replaced by " + tandem.tokenHeader
      + "; your tokens are now read from that header.");
}
adminAuth.tokens = function (token) {
  if (isAgentToken(token)) {
    return Promise.resolve({ username: "tandem-agent", permissions: tandem.permissions });
  }
  return userTokens ? Promise.resolve(userTokens(token)) : Promise.resolve(null);
};
adminAuth.tokenHeader = tandem.tokenHeader;
settings.adminAuth = userAuth ? adminAuth : undefined;
settings.httpAdminMiddleware = require(path.join(__dirname, "tandem-guard.js"))(
    user.httpAdminMiddleware, isAgentToken, tandem.tokenHeader);
// The agent persists "stop" before every launch: the flows boot stopped, and tandem-fence.js
// answers their http-in requests until the agent starts them.
require(path.join(__dirname, "tandem-guard.js")).flows.running = false;

// The group's flows, credentials and editor data: the Tandem storage plugin, through the agent.
if (tandem.storage) {
  if (user.storageModule) {
    console.warn("Tandem: storageModule in settings.js is replaced by the Tandem storage plugin; "
        + "the group's flows live in the coordinators and this host keeps a copy in " + tandem.storage.dataDir);
  }
  settings.storageModule = require(tandem.storage.moduleFile);
  settings.tandemStorage = { agentUrl: tandem.storage.agentUrl, tokenFile: tandem.tokenFile,
    tokenHeader: tandem.tokenHeader, dataDir: tandem.storage.dataDir };
  // A group's flows document may have up to 16 MB (Node-RED's default request limit is 5mb).
  if (user.apiMaxLength === undefined) {
    settings.apiMaxLength = "20mb";
  }
}

// The group's context: store "tandem" (replicated through the coordinators, written by the active
// only), next to the user's own stores. With tandem.context.isDefault it is the default store.
let contextHelpers = null;
if (tandem.context) {
  const contextModule = require(tandem.context.moduleFile);
  contextHelpers = contextModule.helpers || null;
  const own = Object.assign({}, user.contextStorage);
  if (own.tandem) {
    console.warn("Tandem: contextStorage.tandem in settings.js is replaced by the Tandem context store");
    delete own.tandem;
  }
  const stores = {};
  if (tandem.context.isDefault) {
    if (own.default && typeof own.default !== "string") {
      console.warn("Tandem: the default context store of settings.js stays available as \"localDefault\"; "
          + "\"tandem\" is the default store (context.default: true in the agent's configuration)");
      own.localDefault = own.default;
    }
    delete own.default;
    stores.default = "tandem";
  } else if (!own.default) {
    // Node-RED makes the first store listed the default: keep the default the user had
    // (the first of their stores, or memory when they configured none)
    const first = Object.keys(own)[0];
    stores.default = first !== undefined ? first : "memory";
    if (first === undefined) {
      stores.memory = { module: "memory" };
    }
  }
  Object.assign(stores, own);
  stores.tandem = { module: contextModule, config: { agentUrl: tandem.context.agentUrl,
    tokenFile: tandem.tokenFile, tokenHeader: tandem.tokenHeader } };
  settings.contextStorage = stores;
}

// The Tandem nodes (tandem leader, tandem role) and the editor sidebar: node-red-contrib-tandem, written
// by the agent into tandem.nodes.dir and added to nodesDir (a copy the user installed into
// <userDir>/node_modules takes precedence, as Node-RED prefers local modules). They call the agent at
// the same address, with the same token, as the context store.
if (tandem.nodes) {
  const own = user.nodesDir === undefined || user.nodesDir === null ? [] : [].concat(user.nodesDir);
  settings.nodesDir = own.concat([tandem.nodes.dir]);
  settings.tandemNodes = { agentUrl: tandem.nodes.agentUrl, tokenFile: tandem.tokenFile, tokenHeader: tandem.tokenHeader };
}

// The fencing token: read-only for flows, set by the agent through POST <admin>/tandem/fence.
const fence = { token: 0 };
const visible = {};
Object.defineProperty(visible, "token", { enumerable: true, get: () => fence.token });
if (contextHelpers) {
  // global.get("tandem").context.increment(key, delta, {scope}) and .compareAndSet(...)
  Object.defineProperty(visible, "context", { enumerable: true, value: contextHelpers });
}
Object.freeze(visible);
globalThis[Symbol.for("io.tandem.fence")] = require(path.join(__dirname, "tandem-guard.js")).armFence(fence, isAgentToken, tandem.tokenHeader);
settings.functionGlobalContext = Object.assign({}, user.functionGlobalContext, { tandem: visible });

// Tell the agent where the admin API of this process lives (its pid tells it from an older launch;
// agentPid, the parent that launched it, tells tandem-agent --release-userdir that an agent runs).
const rootPath = ("/" + String(adminRoot).replace(/^\/+|\/+$/g, "") + "/").replace(/^\/\/$/, "/");
// flowFile (resolved as the storage plugin resolves it) tells --release-userdir where to write the group's
// current flows back for plain Node-RED.
const flowFile = path.resolve(path.dirname(tandem.launchInfoFile), String(settings.flowFile || "flows.json"));
const info = JSON.stringify({ pid: process.pid, agentPid: process.ppid, adminRoot: rootPath, flowFile,
  adminAuth: Boolean(userAuth), scheme: settings.https ? "https" : "http" });
fs.writeFileSync(tandem.launchInfoFile + ".tmp", info, { mode: 0o600 });
fs.renameSync(tandem.launchInfoFile + ".tmp", tandem.launchInfoFile);

module.exports = settings;
