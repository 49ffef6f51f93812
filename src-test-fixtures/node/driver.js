"use strict";
// Drives the official socket.io-client from another process, one JSON object per line.
//
// Commands (stdin), each on its own line:
//   {"op":"connect","id":"c1","url":"http://127.0.0.1:PORT/nsp","opts":{...}}  create client c1 with io(url, opts)
//   {"op":"connect","id":"c1"}                        connect an existing (disconnected) client again
//   {"op":"emit","id":"c1","event":"e","args":[...]}  emit without ack
//   {"op":"emit","id":"c1","event":"e","args":[...],"ack":true,"seq":7,"timeoutMs":5000}
//                                                     emit with ack; the answer is reported as "ack" with this seq
//   {"op":"on","id":"c1","event":"x","ackWith":[...]} answer the server's ack requests for event x with these values
//   {"op":"ack","id":"c1","ackId":3,"args":[...]}     answer one reported event that carried "ackId"
//   {"op":"disconnect","id":"c1"}                     socket.disconnect()
//   {"op":"close"}                                    disconnect every client, report "closed", exit 0 (so does end of stdin)
//
// Reports (stdout), each on its own line:
//   {"type":"ready","version":"4.8.4"}
//   {"type":"connect","id":"c1","sid":"...","transport":"polling"}
//   {"type":"connect_error","id":"c1","message":"...","data":...,"description":...}
//   {"type":"event","id":"c1","event":"e","args":[...]}           when the server asked for an ack: "acked":true if an
//                                                                   "on" rule answered it, else "ackId":N for an "ack" op
//   {"type":"ack","id":"c1","seq":7,"args":[...]}                  ("error":"..." instead of args on timeout)
//   {"type":"disconnect","id":"c1","reason":"...","description":...}
//   {"type":"upgrade","id":"c1","transport":"websocket"}
//   {"type":"reconnect_attempt"|"reconnect"|"reconnect_failed","id":"c1","attempt":N}
//   {"type":"error","id":"c1","op":"...","message":"..."}         a command that could not be carried out
//   {"type":"closed"}
//
// Binary values anywhere inside args travel as {"$bin":"<base64>"} in both directions.

const readline = require("node:readline");
const { io } = require("socket.io-client");
const clientVersion = require("socket.io-client/package.json").version;

const clients = new Map(); // id -> { socket, ackWith: Map<event, args>, pendingAcks: Map<ackId, fn> }
let nextAckId = 1;
let nextSeq = 1;
let closing = false;

function out(report) {
  process.stdout.write(JSON.stringify(report) + "\n");
}

function encode(value) {
  if (Buffer.isBuffer(value)) return { $bin: value.toString("base64") };
  if (value instanceof ArrayBuffer) return { $bin: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) {
    return { $bin: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === "object") {
    const copy = {};
    for (const [k, v] of Object.entries(value)) copy[k] = encode(v);
    return copy;
  }
  return value;
}

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bin" && typeof value.$bin === "string") {
      return Buffer.from(value.$bin, "base64");
    }
    const copy = {};
    for (const [k, v] of Object.entries(value)) copy[k] = decode(v);
    return copy;
  }
  return value;
}

// Transport errors carry an Error, an HTTP status or a (cyclic) WebSocket event: keep a short text.
function describe(description) {
  if (description === undefined || description === null) return undefined;
  if (typeof description !== "object") return description;
  if (description instanceof Error) return description.message;
  if (description.description !== undefined) return describe(description.description);
  if (typeof description.message === "string") return description.message;
  return String(description);
}

const watchedEngines = new WeakSet();

function watchEngine(id, manager) {
  const engine = manager.engine;
  if (!engine || watchedEngines.has(engine)) return;
  watchedEngines.add(engine);
  engine.on("upgrade", (transport) => out({ type: "upgrade", id, transport: transport.name }));
}

function connect(cmd) {
  const existing = clients.get(cmd.id);
  if (cmd.url === undefined) {
    if (!existing) throw new Error("unknown client " + cmd.id + " (connect needs a url)");
    existing.socket.connect();
    return;
  }
  if (existing) throw new Error("client " + cmd.id + " already exists");
  const id = cmd.id;
  const socket = io(cmd.url, cmd.opts || {});
  const client = { socket, ackWith: new Map(), pendingAcks: new Map() };
  clients.set(id, client);

  const manager = socket.io;
  watchEngine(id, manager);
  manager.on("open", () => watchEngine(id, manager));
  manager.on("reconnect_attempt", (attempt) => out({ type: "reconnect_attempt", id, attempt }));
  manager.on("reconnect", (attempt) => out({ type: "reconnect", id, attempt }));
  manager.on("reconnect_failed", () => out({ type: "reconnect_failed", id }));

  socket.on("connect", () => {
    out({ type: "connect", id, sid: socket.id, transport: manager.engine.transport.name });
  });
  socket.on("connect_error", (err) => {
    out({
      type: "connect_error",
      id,
      message: err.message,
      data: encode(err.data),
      description: describe(err.description),
    });
  });
  socket.on("disconnect", (reason, description) => {
    out({ type: "disconnect", id, reason, description: describe(description) });
  });
  socket.onAny((event, ...args) => {
    const report = { type: "event", id, event };
    let ack;
    if (args.length && typeof args[args.length - 1] === "function") ack = args.pop();
    report.args = encode(args);
    if (ack) {
      if (client.ackWith.has(event)) {
        ack(...decode(client.ackWith.get(event)));
        report.acked = true;
      } else {
        const ackId = nextAckId++;
        client.pendingAcks.set(ackId, ack);
        report.ackId = ackId;
      }
    }
    out(report);
  });
}

function emit(cmd, client) {
  const args = decode(cmd.args || []);
  if (!cmd.ack) {
    client.socket.emit(cmd.event, ...args);
    return;
  }
  const seq = cmd.seq !== undefined ? cmd.seq : nextSeq++;
  if (cmd.timeoutMs !== undefined) {
    client.socket.timeout(cmd.timeoutMs).emit(cmd.event, ...args, (err, ...response) => {
      if (err) out({ type: "ack", id: cmd.id, seq, error: err.message });
      else out({ type: "ack", id: cmd.id, seq, args: encode(response) });
    });
  } else {
    client.socket.emit(cmd.event, ...args, (...response) => {
      out({ type: "ack", id: cmd.id, seq, args: encode(response) });
    });
  }
}

function close() {
  if (closing) return;
  closing = true;
  for (const { socket } of clients.values()) {
    socket.disconnect();
    socket.io.reconnection(false);
    socket.io.engine?.close();
  }
  process.stdout.write(JSON.stringify({ type: "closed" }) + "\n", () => process.exit(0));
}

function handle(cmd) {
  if (cmd.op === "connect") return connect(cmd);
  if (cmd.op === "close") return close();
  const client = clients.get(cmd.id);
  if (!client) throw new Error("unknown client " + cmd.id);
  switch (cmd.op) {
    case "emit":
      return emit(cmd, client);
    case "on":
      if (cmd.ackWith === undefined) client.ackWith.delete(cmd.event);
      else client.ackWith.set(cmd.event, cmd.ackWith);
      return;
    case "ack": {
      const ack = client.pendingAcks.get(cmd.ackId);
      if (!ack) throw new Error("no pending ack " + cmd.ackId);
      client.pendingAcks.delete(cmd.ackId);
      return ack(...decode(cmd.args || []));
    }
    case "disconnect":
      return client.socket.disconnect();
    default:
      throw new Error("unknown op " + cmd.op);
  }
}

readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on("line", (line) => {
    if (!line.trim()) return;
    let cmd;
    try {
      cmd = JSON.parse(line);
      handle(cmd);
    } catch (e) {
      out({ type: "error", id: cmd && cmd.id, op: cmd && cmd.op, message: e.message });
    }
  })
  .on("close", close);

process.on("uncaughtException", (e) => out({ type: "error", message: "uncaught: " + (e.stack || e) }));

out({ type: "ready", version: clientVersion });
