"use strict";
// Checks the example chat in two pages of headless Chromium (driven by playwright-core):
//
//   node chat-e2e.js BASE_URL websocket|polling SCREENSHOT_DIR [NAME]
//
// BASE_URL is the chat on a loopback address (http://127.0.0.1:PORT). The first page is refused a
// blank nickname and must say so; then both pages log in to the same room ("websocket": the default
// transports, so the client upgrades from long-polling; "polling": with the page's "long-polling
// only" box ticked). Each page sends a message and must show both messages, a delivery mark on its
// own, the other page's typing indicator, and the expected transport. Then the typing indicator
// must clear by itself when the typist stops, and a message written while the first page reconnects
// (its transport closed) must reach the other page and be marked delivered. Each page is saved as
// SCREENSHOT_DIR/NAME-<nickname>.png (NAME defaults to the transport mode).
//
// Prints one JSON line and exits 0 when every check passed; otherwise prints
// {"ok":false,"error":...} (and saves SCREENSHOT_DIR/NAME-<nickname>-failed.png) and exits 1.
// Exit 2: bad arguments. Chromium is /usr/bin/chromium, or the path in the environment variable
// CHROMIUM; every wait is bounded by WAIT_MS.

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const WAIT_MS = 15000;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DELIVERED = "✓ delivered";

function usage(message) {
  process.stderr.write(message + "\nusage: node chat-e2e.js BASE_URL websocket|polling SCREENSHOT_DIR [NAME]\n");
  process.exit(2);
}

function isLoopback(url) {
  let host;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const [baseArg, mode, shotDir, nameArg] = process.argv.slice(2);
if (!baseArg || !shotDir) usage("missing arguments");
if (mode !== "websocket" && mode !== "polling") usage(`transport mode must be websocket or polling, not '${mode}'`);
const base = baseArg.endsWith("/") ? baseArg : baseArg + "/";
if (!/^https?:/.test(base) || !isLoopback(base)) usage(`BASE_URL must be an http URL on a loopback address, not '${baseArg}'`);
const prefix = nameArg || mode;
// a room of its own, so that pages of an earlier run against the same server cannot show up
const room = `e2e-${mode}-${process.pid}`;

// What each page does; the text carries markup that the page must show as text.
const users = [
  { name: "ann", text: "hello from ann <b>not bold</b> & ü" },
  { name: "bob", text: "hi ann, bob here \"<i>\" 👋" },
];

/** Waits until fn(arg) is truthy in the page; on timeout, says what was expected and what the page shows. */
async function waitFor(user, what, fn, arg) {
  try {
    await user.page.waitForFunction(fn, arg, { timeout: WAIT_MS });
  } catch (e) {
    const shown = await user.page.evaluate(() => document.body.innerText).catch(() => "(page unreadable)");
    const lost = [];
    for (const u of users) {
      for (const reason of u.page ? await disconnects(u) : []) lost.push(`${u.name}'s client disconnected: ${reason}`);
    }
    throw new Error(`${user.name}'s page: ${what} did not happen within ${WAIT_MS} ms (${e.message.split("\n")[0]}); `
      + `the page shows: ${JSON.stringify(shown)}${lost.length ? "; " + lost.join("; ") : ""}`);
  }
}

/** What a page shows of the chat, for the checks and the result line. */
function readPage(page) {
  return page.evaluate(() => ({
    where: document.getElementById("where").textContent,
    transport: document.getElementById("transport").textContent,
    typing: document.getElementById("typing").textContent,
    messages: [...document.querySelectorAll("#messages li.message")].map((li) => ({
      text: li.textContent,
      mine: li.classList.contains("mine"),
      ack: li.querySelector(".ack") ? li.querySelector(".ack").textContent : null,
      // elements other than the sender's name in bold and the delivery mark: message text shown as markup
      markup: [...li.querySelectorAll("*")]
        .filter((el) => el !== li.firstElementChild && !el.classList.contains("ack")).length,
    })),
    notices: [...document.querySelectorAll("#messages li.notice")].map((li) => li.textContent),
    engineTransport: typeof socket === "undefined" || !socket ? null : socket.io.engine.transport.name,
  }));
}

async function login(user, refusedFirst) {
  const page = user.page;
  await page.goto(base, { timeout: WAIT_MS });
  if (refusedFirst) {
    // the server refuses a blank nickname: the page must say why, and let the user try again
    await page.locator("#name").fill("   ", { timeout: WAIT_MS });
    await page.locator("#login button").click({ timeout: WAIT_MS });
    await waitFor(user, "the refusal of a blank nickname shown",
      (want) => document.getElementById("status").textContent === want,
      "cannot connect: a nickname of 1 to 32 characters is required");
  }
  await page.locator("#name").fill(user.name, { timeout: WAIT_MS });
  await page.locator("#room").fill(room, { timeout: WAIT_MS });
  await page.locator("#polling").setChecked(mode === "polling", { timeout: WAIT_MS });
  await page.locator("#login button").click({ timeout: WAIT_MS });
  await waitFor(user, `"${user.name} in ${room}" shown`,
    (want) => document.getElementById("where").textContent === want
      && document.getElementById("status").textContent === "", `${user.name} in ${room}`);
  // a page that loses its connection during the test fails it, with the client's reason
  await page.evaluate(() => {
    window.e2eDisconnects = [];
    socket.on("disconnect", (reason, details) => {
      const why = details && (details.description || details.context);
      window.e2eDisconnects.push(reason + (why ? " (" + String(why.message || why.status || why) + ")" : ""));
    });
  });
}

/** The reasons a page's client gave for losing its connection since login. */
function disconnects(user) {
  return user.page.evaluate(() => window.e2eDisconnects || []).catch(() => []);
}

async function typeAndSend(from, to) {
  await from.page.locator("#text").pressSequentially(from.text, { timeout: WAIT_MS });
  await waitFor(to, `"${from.name} is typing…" shown`,
    (want) => document.getElementById("typing").textContent === want, `${from.name} is typing…`);
  to.typingSeen = `${from.name} is typing…`;
  await from.page.locator("#text").press("Enter", { timeout: WAIT_MS });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run scripts/setup.sh (or set CHROMIUM to its path)`);
  }
  fs.mkdirSync(shotDir, { recursive: true });
  for (const user of users) fs.rmSync(path.resolve(shotDir, `${prefix}-${user.name}-failed.png`), { force: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chat-e2e-"));
  const started = Date.now();
  const offLoopback = [];
  const pageErrors = [];
  const badResponses = []; // HTTP errors the pages got, for failure messages
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 800, height: 600 },
      timeout: WAIT_MS * 2,
    });
    for (const user of users) {
      user.page = await context.newPage();
      user.page.on("request", (r) => {
        if (/^(https?|wss?):/.test(r.url()) && !isLoopback(r.url())) offLoopback.push(r.url());
      });
      user.page.on("pageerror", (e) => pageErrors.push(`${user.name}: ${e.message}`));
      user.page.on("response", (r) => {
        if (r.status() >= 400) {
          const entry = `${user.name}: ${r.request().method()} ${r.url()} -> ${r.status()}`;
          badResponses.push(entry);
          r.text().then((body) => {
            badResponses[badResponses.indexOf(entry)] = `${entry} ${JSON.stringify(body.slice(0, 200))}`;
          }, () => {});
        }
      });
    }
    try {
      const [ann, bob] = users;
      await login(ann, true);
      await login(bob, false);
      await waitFor(ann, `"bob joined ${room}" shown`,
        (want) => [...document.querySelectorAll("#messages li.notice")].some((li) => li.textContent === want),
        `bob joined ${room}`);

      const expected = `(${mode})`;
      for (const user of users) {
        await waitFor(user, `transport ${expected} shown`,
          (want) => document.getElementById("transport").textContent === want, expected);
      }

      await typeAndSend(ann, bob);
      await typeAndSend(bob, ann);

      for (const user of users) {
        const want = users.map((u) => `${u.name}: ${u.text}`);
        await waitFor(user, `both messages and the delivery mark shown`, ([texts, mark]) => {
          const shown = [...document.querySelectorAll("#messages li.message")].map((li) => li.textContent);
          const acked = document.querySelectorAll("#messages li.message.mine .ack").length;
          return texts.every((t) => shown.some((s) => s === t || s === t + mark)) && acked === 1;
        }, [want, DELIVERED]);
        user.seen = await readPage(user.page);
        const mine = user.seen.messages.filter((m) => m.mine);
        check(mine.length === 1 && mine[0].text === `${user.name}: ${user.text}${DELIVERED}` && mine[0].ack === DELIVERED,
          `${user.name}'s page: its own message should read "${user.name}: ${user.text}${DELIVERED}", `
          + `got ${JSON.stringify(mine)}`);
        const others = user.seen.messages.filter((m) => !m.mine);
        check(others.length === 1 && others[0].ack === null,
          `${user.name}'s page: the other's message should show without a delivery mark, got ${JSON.stringify(others)}`);
        check(user.seen.messages.every((m) => m.markup === 0),
          `${user.name}'s page: message text was rendered as markup: ${JSON.stringify(user.seen.messages)}`);
        check(user.seen.transport === expected && user.seen.engineTransport === mode,
          `${user.name}'s page: transport should be ${mode}, label ${JSON.stringify(user.seen.transport)}, `
          + `client ${user.seen.engineTransport}`);
      }
      for (const user of users) {
        const lost = await disconnects(user);
        check(lost.length === 0, `${user.name}'s client lost its connection during the test: ${lost.join("; ")}`);
      }
      check(pageErrors.length === 0, `errors in the pages: ${pageErrors.join("; ")}`);
      check(offLoopback.length === 0, `requests left the loopback address: ${offLoopback.join(", ")}`);

      // the typing indicator clears by itself when the typist stops without sending
      await ann.page.locator("#text").pressSequentially("hm", { timeout: WAIT_MS });
      await waitFor(bob, `"ann is typing…" shown again`,
        (want) => document.getElementById("typing").textContent === want, "ann is typing…");
      await waitFor(bob, "the typing indicator cleared once ann stopped typing",
        () => document.getElementById("typing").textContent === "");
      await ann.page.locator("#text").fill("", { timeout: WAIT_MS });

      // a message written while the page reconnects reaches the room once the page has rejoined it
      const late = "written while reconnecting";
      await ann.page.evaluate(() => socket.io.engine.close());
      await waitFor(ann, "the client disconnected", () => !socket.connected);
      await ann.page.locator("#text").fill(late, { timeout: WAIT_MS });
      await ann.page.locator("#text").press("Enter", { timeout: WAIT_MS });
      await waitFor(bob, `"ann: ${late}" shown`,
        (want) => [...document.querySelectorAll("#messages li.message")].some((li) => li.textContent === want),
        `ann: ${late}`);
      await waitFor(ann, `"${late}" marked delivered`,
        (want) => [...document.querySelectorAll("#messages li.message.mine")].some((li) => li.textContent === want),
        `ann: ${late}${DELIVERED}`);

      const pages = [];
      for (const user of users) {
        const file = path.resolve(shotDir, `${prefix}-${user.name}.png`);
        await user.page.screenshot({ path: file, fullPage: true, timeout: WAIT_MS });
        pages.push({
          name: user.name,
          transport: user.seen.engineTransport,
          typingSeen: user.typingSeen,
          messages: user.seen.messages.map((m) => m.text),
          notices: user.seen.notices,
          screenshot: file,
        });
      }
      for (const user of users) {
        await user.page.evaluate(() => socket.disconnect()); // leave now, not at the server's ping timeout
      }
      return {
        ok: true, base, mode, room, pages,
        browser: context.browser() ? context.browser().version() : null,
        elapsedMs: Date.now() - started,
      };
    } catch (e) {
      if (badResponses.length) e.message += `; HTTP errors: ${badResponses.join("; ")}`;
      for (const user of users) {
        if (user.page) {
          await user.page.screenshot({ path: path.resolve(shotDir, `${prefix}-${user.name}-failed.png`), fullPage: true })
            .catch(() => {});
        }
      }
      throw e;
    }
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exitCode = 0;
  },
  (e) => {
    process.stdout.write(JSON.stringify({ ok: false, base, mode, error: e && e.message ? e.message : String(e) }) + "\n");
    process.exitCode = 1;
  },
);
