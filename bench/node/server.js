// The Node.js reference server of the benchmarks: the official socket.io 4.8 server with the
// handlers every benchmarked server has.
//   node server.js PORT
// Listens on http://127.0.0.1:PORT (0 = any free port), prints "listening on http://127.0.0.1:PORT"
// once it accepts connections, and stops on SIGTERM or Ctrl-C. With SOCKETIO_REDIS_URL set (such as
// redis://127.0.0.1:6379) it joins the other processes on that Redis through the official
// @socket.io/redis-adapter, as our server does through its RedisManager, so broadcasts reach the
// clients of every process.
//   echo  -> acknowledges with its own arguments
//   bcast -> emits "bcast" with its first argument to every client of the default namespace
//   stats -> acknowledges with {echo, bcast, connections}: what the server has seen (for tests)
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("usage: node server.js PORT   (0 = any free port)");
  process.exit(2);
}

const counts = { echo: 0, bcast: 0, connections: 0 };
const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval: 25000,
  pingTimeout: 20000,
  cors: { origin: "*" },
});

io.on("connection", (socket) => {
  counts.connections++;
  socket.on("echo", (...args) => {
    counts.echo++;
    const ack = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
  socket.on("bcast", (payload) => {
    counts.bcast++;
    io.emit("bcast", payload);
  });
  socket.on("stats", (ack) => {
    if (typeof ack === "function") ack({ ...counts });
  });
});

async function start() {
  const redisUrl = process.env.SOCKETIO_REDIS_URL;
  if (redisUrl) {
    const { createClient } = require("redis");
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pubClient = createClient({ url: redisUrl });
    const subClient = pubClient.duplicate();
    pubClient.on("error", (e) => console.error("redis:", e.message));
    subClient.on("error", (e) => console.error("redis:", e.message));
    await Promise.all([pubClient.connect(), subClient.connect()]);
    io.adapter(createAdapter(pubClient, subClient));
    closers.push(() => pubClient.disconnect().catch(() => {}), () => subClient.disconnect().catch(() => {}));
  }
  httpServer.listen(port, "127.0.0.1", () => {
    console.log(`listening on http://127.0.0.1:${httpServer.address().port}`);
  });
}
const closers = [];
start().catch((e) => {
  console.error("could not start:", e);
  process.exit(1);
});

function stop() {
  closers.forEach((c) => c());
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
