// The lock of node-red-contrib-cluster-leader as its README states it, reproduced for the benchmark
// (written from the README, not from its code): acquire with SET key value NX EX <ttl>, the leader
// refreshes the key every 2 s, followers retry every 2 s; no fencing token. While this process
// believes it holds the key it calls the witness every 50 ms, as a flow behind the leader node would.
//
//   node holder.js REDIS_PORT KEY INSTANCE WITNESS_URL [TTL_S=10] [REFRESH_MS=2000] [CALL_MS=50]
//
// SIGUSR1 hangs it (while(true) on the event loop: it stops refreshing and calling, stays alive),
// like a hung Node-RED. Only 127.0.0.1 is dialed.
'use strict';
const net = require('net');
const http = require('http');

const [port, key, instance, witnessUrl] = process.argv.slice(2, 6);
const ttl = Number(process.argv[6] || 10);
const refreshMs = Number(process.argv[7] || 2000);
const callMs = Number(process.argv[8] || 50);
if (!port || !key || !instance || !witnessUrl) {
  console.error('usage: node holder.js REDIS_PORT KEY INSTANCE WITNESS_URL [TTL_S] [REFRESH_MS] [CALL_MS]');
  process.exit(2);
}

// A minimal RESP2 client: one connection, commands answered in order.
const pending = [];
let buf = Buffer.alloc(0);
const sock = net.connect({ host: '127.0.0.1', port: Number(port) });
sock.setNoDelay(true);
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const r = parse(buf, 0);
    if (!r) break;
    buf = buf.subarray(r.end);
    const p = pending.shift();
    if (p) p(r.value);
  }
});
sock.on('error', (e) => { console.error('redis: ' + e.message); process.exit(1); });
sock.on('close', () => { console.error('redis connection closed'); process.exit(1); });

function parse(b, at) {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return null;
  const line = b.toString('utf8', at + 1, eol);
  switch (String.fromCharCode(b[at])) {
    case '+': return { value: line, end: eol + 2 };
    case '-': return { value: new Error(line), end: eol + 2 };
    case ':': return { value: Number(line), end: eol + 2 };
    case '$': {
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      if (b.length < eol + 2 + n + 2) return null;
      return { value: b.toString('utf8', eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    case '*': {
      const n = Number(line);
      const out = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parse(b, end);
        if (!r) return null;
        out.push(r.value);
        end = r.end;
      }
      return { value: out, end };
    }
    default: throw new Error('bad RESP reply');
  }
}

function cmd(...args) {
  let s = '*' + args.length + '\r\n';
  for (const a of args) {
    const v = String(a);
    s += '$' + Buffer.byteLength(v) + '\r\n' + v + '\r\n';
  }
  return new Promise((resolve) => { pending.push(resolve); sock.write(s); });
}

let leader = false;
function say(what) {
  console.log(new Date().toISOString() + ' ' + instance + ' ' + what);
}

// Every refreshMs: the leader checks that the key is still its own and extends the TTL; everyone
// else (and a leader that lost it) tries SET NX EX.
async function tick() {
  if (leader) {
    const v = await cmd('GET', key);
    if (v === instance) {
      await cmd('EXPIRE', key, ttl);
      return;
    }
    leader = false;
    say('follower (the key is ' + v + ')');
  }
  const r = await cmd('SET', key, instance, 'NX', 'EX', ttl);
  if (r === 'OK') {
    leader = true;
    say('leader');
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function callWitness() {
  if (!leader) return;
  const url = witnessUrl + '?instance=' + encodeURIComponent(instance) + '&key=' + encodeURIComponent(key) + '&token=0';
  const req = http.get(url, { agent }, (res) => res.resume());
  req.on('error', () => {});
}

process.on('SIGUSR1', () => {
  say('hanging (while(true))');
  for (;;) { /* a hung event loop: no refresh, no call */ }
});

sock.on('connect', () => {
  say('connected to redis');
  tick().catch((e) => say('tick failed: ' + e.message));
  setInterval(() => tick().catch((e) => say('tick failed: ' + e.message)), refreshMs);
  setInterval(callWitness, callMs);
});
