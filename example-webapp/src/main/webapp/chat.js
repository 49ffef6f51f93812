"use strict";
const $ = (id) => document.getElementById(id);
let socket;
let me = "";
let inRoom = false; // whether this connection has (re)joined the room: messages wait for it
const outbox = []; // messages written while not in the room, sent once it is rejoined
const TYPING_IDLE_MS = 3000; // the typing indicator clears when nothing more is heard for this long
let typingTimer;

function add(html, cls) {
  const li = document.createElement("li");
  if (cls) li.className = cls;
  li.innerHTML = html;
  $("messages").appendChild(li);
  return li;
}

function text(s) {
  const d = document.createElement("div");
  d.textContent = s;
  return d.innerHTML;
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("name").value;
  const room = $("room").value;
  me = name.trim();
  $("status").textContent = "";
  if (socket) socket.off().disconnect(); // a failed attempt before this one
  socket = io({
    auth: { name },
    transports: $("polling").checked ? ["polling"] : ["polling", "websocket"],
  });
  socket.on("connect", () => {
    $("status").textContent = "";
    $("login").hidden = true;
    $("chat").hidden = false;
    $("transport").textContent = "(" + socket.io.engine.transport.name + ")";
    socket.io.engine.on("upgrade", (t) => { $("transport").textContent = "(" + t.name + ")"; });
    // on every connection, the first one and each reconnection: the server has a new session
    inRoom = false;
    socket.emit("join", room, (reply) => {
      $("where").textContent = reply.error ? reply.error : name + " in " + reply.room;
      if (reply.error) return;
      inRoom = true;
      while (inRoom && outbox.length) send(outbox.shift());
    });
  });
  socket.on("connect_error", (err) => { $("status").textContent = "cannot connect: " + err.message; });
  socket.on("disconnect", (reason) => {
    inRoom = false;
    $("status").textContent = "disconnected (" + reason + ")";
  });
  socket.on("joined", (m) => add(text(m.from) + " joined " + text(m.room), "notice"));
  socket.on("left", (m) => add(text(m.from) + " left", "notice"));
  socket.on("chat", (m) => { add("<b>" + text(m.from) + "</b>: " + text(m.text), "message"); clearTyping(); });
  socket.on("typing", (who) => {
    $("typing").textContent = who + " is typing…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(clearTyping, TYPING_IDLE_MS);
  });
  socket.on("stop typing", clearTyping);
  socket.on("image", (m) => {
    const url = URL.createObjectURL(new Blob([m.image]));
    add("<b>" + text(m.from) + "</b>: <img src='" + url + "' alt='image'>", "message");
  });
});

function clearTyping() {
  clearTimeout(typingTimer);
  $("typing").textContent = "";
}

// volatile: typing news is not worth sending late, after a reconnection
$("text").addEventListener("input", () => {
  if (socket) socket.volatile.emit($("text").value ? "typing" : "stop typing");
});

/** Sends one message of the outbox; its acknowledgement marks it delivered (or says why not). */
function send(message) {
  message.li.querySelector(".pending")?.remove();
  socket.emit("chat", message.value, (ack) => {
    const mark = ack === "delivered" ? "✓ delivered" : "✗ " + String(ack);
    message.li.insertAdjacentHTML("beforeend", "<span class='ack'>" + text(mark) + "</span>");
  });
}

$("send").addEventListener("submit", (e) => {
  e.preventDefault();
  const value = $("text").value;
  if (!value) return;
  $("text").value = "";
  const li = add("<b>" + text(me) + "</b>: " + text(value), "message mine");
  if (inRoom) {
    send({ value, li });
  } else {
    // reconnecting: sent once the room is rejoined, not to the server's new, roomless session
    li.insertAdjacentHTML("beforeend", "<span class='pending'> (waiting to reconnect)</span>");
    outbox.push({ value, li });
  }
});

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  socket.emit("image", await file.arrayBuffer(), (ack) => add("image " + text(ack), "notice"));
  $("file").value = "";
});
