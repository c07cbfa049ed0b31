#!/usr/bin/env node
// channel-server-reference.mjs — a faithful Node `ws` rendering of the topic-channel WebSocket
// server as its original Node authors run it, the baseline that Switchboard's channels benchmarks are
// measured against (fanout-bench.mjs).
//
// Wire format: every frame is a JSON text `[topic, event, payload]`, both directions.
//   -> [topic,"subscribe",{id?}]   <- [topic,"subscribed",{id}] then the channel's onJoin frames
//   -> [topic,"unsubscribe",_]     <- [topic,"unsubscribed",{}]      (always, even if not subscribed)
//   -> not JSON                    <- ["error","error",{"code":"INVALID_PAYLOAD","message":"Invalid JSON"}]
//   -> not [string,string,any]     <- ["error","error",{"code":"INVALID_PAYLOAD","message":"Message must be [topic, event, payload]"}]
//   -> topic matching no channel   <- [topic,"error",{"code":"INTERNAL_ERROR","message":"No channel matches topic: <topic>"}]
//   -> unhandled event, known topic   (no reply; server-side warning only)
//   connection number max+1        close 1008 "Server at maximum capacity" (after the upgrade)
//   frame larger than --max-payload close 1009 (ws library behaviour; the original keeps ws' default 100 MiB)
//
// Channels registered by this reference application (the original's example, made concrete):
//   reasoning:<sessionId>
//       onJoin  -> [topic,"session:snapshot",{sessionId, thoughts:[last 50 thought objects]}]
//       event "thought:add" {thought} -> broadcast [topic,"thought:added",{thought}]   (*)
//   chat:<room>
//       event "message" {..} -> broadcast [topic,"message",{..}] to all subscribers (sender included)
//   session:<sessionId>:cell:<cellId>
//       onJoin  -> [topic,"cell:snapshot",{sessionId, cellId}]
// (*) TEST HOOK, not in the original: it has no built-in client publish; "thought:add" is an
//     application event of this reference app so a WebSocket client can trigger a broadcast.
// Control hooks (HTTP on the same port; the original's server-side API, exposed for tests):
//   POST /_broadcast {topic, event, payload}  == wss.broadcast(topic, event, payload) -> {sent:n}
//   GET  /_stats                              == getConnectionCount()/getSubscriberCount(topic)
//
// Flags: --port N (0 = ephemeral) --host 127.0.0.1 --max N (default 100, the original's default)
//        --max-payload BYTES (default 104857600 = ws default) --quiet (no per-frame log lines)
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { flags, log, ready, readJson, sendJson, onShutdown } from './lib/common.mjs';

const opt = flags({
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  max: { type: 'string', default: '100' },
  'max-payload': { type: 'string', default: String(100 * 1024 * 1024) },
  quiet: { type: 'boolean', default: false },
});
const MAX = Number(opt.max);
const QUIET = opt.quiet;
const trace = (ev, f) => { if (!QUIET) log(ev, f); };

// ---------------------------------------------------------------------------------------------
// Channel: pattern "a:<p>:b" — ':'-separated segments, "<name>" segments capture a parameter,
// the topic must have the same number of segments and equal literal segments.
// ---------------------------------------------------------------------------------------------
class Channel {
  constructor(pattern) { this.pattern = pattern; this.parts = pattern.split(':'); this.handlers = new Map(); this.joinHandler = null; }
  match(topic) {
    const t = topic.split(':');
    if (t.length !== this.parts.length) return null;
    const params = {};
    for (let i = 0; i < t.length; i++) {
      const p = this.parts[i];
      if (p.startsWith('<') && p.endsWith('>')) params[p.slice(1, -1)] = t[i];
      else if (p !== t[i]) return null;
    }
    return params;
  }
  onJoin(fn) { this.joinHandler = fn; return this; }
  on(event, fn) { this.handlers.set(event, fn); return this; }
  async handleJoin(ctx) { if (this.joinHandler) await this.joinHandler(ctx); }
  async handleEvent(event, ctx, payload) {
    const h = this.handlers.get(event);
    if (!h) return false;
    await h(ctx, payload);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Server (mirrors the original's WebSocketServer class)
// ---------------------------------------------------------------------------------------------
const connections = new Map(); // id -> {socket, subscriptions:Set, id}
const channels = [];
let counter = 0;

function findChannel(topic) {
  for (const channel of channels) {
    const params = channel.match(topic);
    if (params !== null) return { channel, params };
  }
  return null;
}

function sendTo(conn, topic, event, payload) {
  if (conn.socket.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify([topic, event, payload]));
}

function broadcast(topic, event, payload) {
  const message = JSON.stringify([topic, event, payload]);
  let count = 0;
  for (const conn of connections.values()) {
    if (conn.subscriptions.has(topic) && conn.socket.readyState === WebSocket.OPEN) {
      conn.socket.send(message);
      count++;
    }
  }
  trace('channels.broadcast', { topic, event, subscribers: count });
  return count;
}

function context(conn, topic, params) {
  return { params, topic, send: (e, p) => sendTo(conn, topic, e, p), broadcast: (e, p) => broadcast(topic, e, p) };
}

const isValidFrame = (v) => Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && typeof v[1] === 'string';

async function handleMessage(conn, data) {
  let parsed;
  try { parsed = JSON.parse(data.toString()); } catch {
    trace('channels.recv.invalid_json', { conn: conn.id });
    sendTo(conn, 'error', 'error', { code: 'INVALID_PAYLOAD', message: 'Invalid JSON' });
    return;
  }
  if (!isValidFrame(parsed)) {
    trace('channels.recv.invalid_frame', { conn: conn.id, frame: parsed });
    sendTo(conn, 'error', 'error', { code: 'INVALID_PAYLOAD', message: 'Message must be [topic, event, payload]' });
    return;
  }
  const [topic, event, payload] = parsed;
  trace('channels.recv', { conn: conn.id, topic, event });
  if (event === 'subscribe') {
    // SubscribePayloadSchema = {id?: string}: anything else yields id undefined (dropped from JSON)
    const id = payload && typeof payload === 'object' && !Array.isArray(payload) && typeof payload.id === 'string' ? payload.id : undefined;
    const match = findChannel(topic);
    if (!match) {
      sendTo(conn, topic, 'error', { code: 'INTERNAL_ERROR', message: `No channel matches topic: ${topic}` });
      return;
    }
    conn.subscriptions.add(topic);
    sendTo(conn, topic, 'subscribed', { id });
    await match.channel.handleJoin(context(conn, topic, match.params));
    trace('channels.subscribed', { conn: conn.id, topic, id: id ?? null });
    return;
  }
  if (event === 'unsubscribe') {
    conn.subscriptions.delete(topic);
    sendTo(conn, topic, 'unsubscribed', {});
    trace('channels.unsubscribed', { conn: conn.id, topic });
    return;
  }
  const match = findChannel(topic);
  if (!match) {
    sendTo(conn, topic, 'error', { code: 'INTERNAL_ERROR', message: `No channel matches topic: ${topic}` });
    return;
  }
  const handled = await match.channel.handleEvent(event, context(conn, topic, match.params), payload);
  if (!handled) trace('channels.unhandled', { conn: conn.id, topic, event });
}

// ---------------------------------------------------------------------------------------------
// Reference application channels
// ---------------------------------------------------------------------------------------------
const sessions = new Map(); // sessionId -> thoughts[]
const thoughtsOf = (sid) => { if (!sessions.has(sid)) sessions.set(sid, []); return sessions.get(sid); };

channels.push(new Channel('reasoning:<sessionId>')
  .onJoin(({ params, send }) => send('session:snapshot', { sessionId: params.sessionId, thoughts: thoughtsOf(params.sessionId) }))
  .on('thought:add', ({ params, broadcast: bc }, payload) => { // TEST HOOK (see header)
    const thought = payload && typeof payload === 'object' ? payload.thought ?? payload : payload;
    const list = thoughtsOf(params.sessionId);
    list.push(thought);
    if (list.length > 50) list.shift();
    bc('thought:added', { thought });
  }));
// chat:<room> — a chat room built on the original's Channel API the way its users would: a client's
// "message" event is broadcast to every subscriber of the topic (sender included). Switchboard's
// channels adapter has the same built-in handler, so the fan-out bench compares like with like.
channels.push(new Channel('chat:<room>')
  .on('message', ({ broadcast: bc }, payload) => { bc('message', payload); }));
channels.push(new Channel('session:<sessionId>:cell:<cellId>')
  .onJoin(({ params, send }) => send('cell:snapshot', { sessionId: params.sessionId, cellId: params.cellId })));

// ---------------------------------------------------------------------------------------------
// HTTP (control hooks) + WebSocket attached to it (original: start(httpServer))
// ---------------------------------------------------------------------------------------------
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  try {
    if (req.method === 'POST' && url.pathname === '/_broadcast') {
      const b = await readJson(req);
      return sendJson(res, 200, { ok: true, sent: broadcast(String(b.topic), String(b.event), b.payload ?? {}) });
    }
    if (req.method === 'GET' && url.pathname === '/_stats') {
      const topic = url.searchParams.get('topic');
      const subs = topic ? [...connections.values()].filter((c) => c.subscriptions.has(topic)).length : null;
      return sendJson(res, 200, { connections: connections.size, max: MAX, topic, subscribers: subs });
    }
    sendJson(res, 404, { error: 'not found' });
  } catch (e) { sendJson(res, 400, { error: e.message }); }
});

const wss = new WebSocketServer({ server, maxPayload: Number(opt['max-payload']) });
wss.on('connection', (socket) => {
  if (connections.size >= MAX) {
    log('channels.rejected', { reason: 'max connections', max: MAX });
    socket.close(1008, 'Server at maximum capacity');
    return;
  }
  const conn = { socket, subscriptions: new Set(), id: `conn_${++counter}` };
  connections.set(conn.id, conn);
  trace('channels.open', { conn: conn.id, count: connections.size });
  socket.on('message', (data) => { handleMessage(conn, data); });
  socket.on('close', (code) => { connections.delete(conn.id); trace('channels.close', { conn: conn.id, code }); });
  socket.on('error', (err) => log('channels.socket_error', { conn: conn.id, error: err.message }));
});
wss.on('error', (err) => log('channels.server_error', { error: err.message }));

server.listen(Number(opt.port), opt.host, () => ready(server.address().port, { peer: 'channel-server-reference', max: MAX, maxPayload: Number(opt['max-payload']) }));
onShutdown(() => new Promise((r) => {
  for (const c of connections.values()) c.socket.close(1000, 'Server shutting down');
  wss.close(() => server.close(() => r()));
  setTimeout(r, 1000).unref();
}));
