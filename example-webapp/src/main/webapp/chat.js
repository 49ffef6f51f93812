"use strict";
const $ = (id) => document.getElementById(id);
let socket;
let me = "";

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
    socket.emit("join", room, (reply) => {
      $("where").textContent = reply.error ? reply.error : name + " in " + reply.room;
    });
  });
  socket.on("connect_error", (err) => { $("status").textContent = "cannot connect: " + err.message; });
  socket.on("disconnect", (reason) => { $("status").textContent = "disconnected (" + reason + ")"; });
  socket.on("joined", (m) => add(text(m.from) + " joined " + text(m.room), "notice"));
  socket.on("left", (m) => add(text(m.from) + " left", "notice"));
  socket.on("chat", (m) => { add("<b>" + text(m.from) + "</b>: " + text(m.text), "message"); $("typing").textContent = ""; });
  socket.on("typing", (who) => { $("typing").textContent = who + " is typing…"; });
  socket.on("image", (m) => {
    const url = URL.createObjectURL(new Blob([m.image]));
    add("<b>" + text(m.from) + "</b>: <img src='" + url + "' alt='image'>", "message");
  });
});

$("text").addEventListener("input", () => socket && socket.emit("typing"));

$("send").addEventListener("submit", (e) => {
  e.preventDefault();
  const value = $("text").value;
  if (!value) return;
  $("text").value = "";
  const mine = add("<b>" + text(me) + "</b>: " + text(value), "message mine");
  socket.emit("chat", value, (ack) => {
    mine.insertAdjacentHTML("beforeend", "<span class='ack'>✓ " + text(ack) + "</span>");
  });
});

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  socket.emit("image", await file.arrayBuffer(), (ack) => add("image " + text(ack), "notice"));
  $("file").value = "";
});
