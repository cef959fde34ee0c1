// The measurement every system shares: devices A, B, C in headless Chromium, keystrokes typed
// into A's `#feld-wuensche`, the moment each becomes visible on B and C, bytes A sends on its
// WebSockets, and the sync server's memory.
//
// Clocks: every timestamp is `performance.timeOrigin + performance.now()` taken inside a page
// (keydown on A, the textarea update on B and C). All pages run in one Chromium on one machine,
// so these are on the same wall clock, to well under a millisecond.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const FIELD_ID = 'feld-wuensche';

/// Launch options for Debian's Chromium, as the end-to-end tests use it. Playwright adds
/// --disable-background-timer-throttling and --disable-renderer-backgrounding by itself, so
/// timers in B and C run as in a foreground tab.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/// Runs in every page before its own scripts (page.addInitScript). Records
/// - on A: the time of each keydown in the field;
/// - on B and C: each programmatic `value =` on the field (how the Dreieck app and the comparison
///   pages show remote changes) and each `input` event on it, as (time, text after the baseline).
/// Nothing is recorded until the harness arms the probe with the field's length before typing.
function probe(fieldId) {
  const now = () => performance.timeOrigin + performance.now();
  const state = { armed: false, base: 0, keydowns: [], seen: [] };
  window.__syncProbe = {
    arm(base) {
      state.base = base;
      state.keydowns = [];
      state.seen = [];
      state.sends = [];
      state.arrivals = [];
      state.armed = true;
    },
    disarm() { state.armed = false; },
    take() { return { keydowns: state.keydowns, seen: state.seen, sends: state.sends, arrivals: state.arrivals }; },
  };
  const record = (el, value) => {
    if (!state.armed || !el || el.id !== fieldId) return;
    state.seen.push([now(), value.length >= state.base ? value.slice(state.base) : null]);
  };
  const desc = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value');
  Object.defineProperty(HTMLTextAreaElement.prototype, 'value', {
    configurable: true,
    enumerable: desc.enumerable,
    get: desc.get,
    set(v) {
      desc.set.call(this, v);
      record(this, String(v));
    },
  });
  // Where each keystroke's time goes: when A's page hands a frame to a WebSocket, and when a
  // WebSocket message reaches B's and C's handler (`--breakdown`).
  state.sends = [];
  state.arrivals = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (state.armed) state.sends.push(now());
    return send.call(this, data);
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    enumerable: onmessage.enumerable,
    get: onmessage.get,
    set(handler) {
      onmessage.set.call(this, typeof handler === 'function' ? function (event) {
        if (state.armed) state.arrivals.push(now());
        return handler.call(this, event);
      } : handler);
    },
  });
  const addListener = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, listener, options) {
    if (type === 'message' && typeof listener === 'function') {
      const inner = listener;
      listener = function (event) {
        if (state.armed) state.arrivals.push(now());
        return inner.call(this, event);
      };
    }
    return addListener.call(this, type, listener, options);
  };
  document.addEventListener('keydown', (e) => {
    if (state.armed && e.target && e.target.id === fieldId) state.keydowns.push(now());
  }, true);
  document.addEventListener('input', (e) => record(e.target, e.target.value), true);
}

/// A fresh device: its own browser context (storage, service worker), the probe installed.
export async function device(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  await context.addInitScript(probe, FIELD_ID);
  // The first start asks for a PIN; the benchmark measures sync, so it goes on without one.
  await context.addInitScript(() => {
    if (!localStorage.getItem('dreieck.sperre.test_ohne_pin')) localStorage.setItem('dreieck.sperre.test_ohne_pin', '"1"');
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { name, context, page, errors };
}

/// Counts the payload bytes of the WebSocket frames a page sends (CDP Network domain).
export async function wireCounter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const c = { counting: false, bytes: 0, frames: 0, byKind: {} };
  cdp.on('Network.webSocketFrameSent', ({ response }) => {
    if (!c.counting) return;
    // opcode 1: text, payloadData is the text; 2: binary, payloadData is base64.
    const n = response.opcode === 2
      ? Buffer.from(response.payloadData, 'base64').length
      : Buffer.byteLength(response.payloadData, 'utf8');
    c.bytes += n;
    c.frames += 1;
    // Binary frames are Dreieck's: byte 1 names the message kind (crates/sync/src/wire.rs).
    const kind = response.opcode === 2 ? `kind ${Buffer.from(response.payloadData, 'base64')[1]}` : 'text';
    const k = (c.byKind[kind] ??= { frames: 0, bytes: 0 });
    k.frames += 1;
    k.bytes += n;
  });
  return {
    start() { c.counting = true; c.bytes = 0; c.frames = 0; c.byKind = {}; },
    stop() { c.counting = false; return { bytes: c.bytes, frames: c.frames, byKind: c.byKind }; },
    detach: () => cdp.detach().catch(() => {}),
  };
}

/// The text typed: lower-case letters in order, so a prefix of it names the keystroke count.
export function typedText(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + (i % 26));
  return s;
}

export const fieldValue = (page) => page.evaluate((id) => document.getElementById(id).value, FIELD_ID);
export const fieldLength = (page) => page.evaluate((id) => document.getElementById(id).value.length, FIELD_ID);

/// Waits until a condition on the devices' field holds, polling; throws after `timeoutMs`.
export async function waitFor(what, check, timeoutMs, pollMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await check();
    if (last === true) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await sleep(pollMs);
  }
}

/// Waits until every page's field has `length` characters.
export async function waitSameLength(pages, length, timeoutMs, what = 'the field') {
  await waitFor(`${what} to have ${length} characters on every device`, async () => {
    const lengths = await Promise.all(pages.map(fieldLength));
    return lengths.every((l) => l === length) || `lengths now ${lengths.join(', ')}`;
  }, timeoutMs, 200);
}

/// The scenario: A types `keystrokes` characters at the end of the field, one keydown every
/// `intervalMs`; returns the latency of each keystroke until both B and C show it, and the
/// bytes A sent meanwhile.
export async function typeAndMeasure({ a, b, c, keystrokes, intervalMs, timeoutMs = 60_000, log }) {
  const text = typedText(keystrokes);
  const base = await fieldLength(a.page);
  const bases = await Promise.all([b, c].map((d) => fieldLength(d.page)));
  if (bases.some((l) => l !== base)) throw new Error(`devices differ before typing: A ${base}, B/C ${bases}`);

  // Caret at the end of A's field, focused, as a person would continue typing.
  await a.page.evaluate((id) => {
    const el = document.getElementById(id);
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, FIELD_ID);
  for (const d of [a, b, c]) await d.page.evaluate((n) => window.__syncProbe.arm(n), base);
  const wire = await wireCounter(a.page);
  await sleep(200); // let anything the focus caused settle before counting
  wire.start();

  const t0 = performance.now();
  for (let i = 0; i < keystrokes; i++) {
    const due = t0 + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await a.page.keyboard.press(text[i]);
  }
  const typingMs = performance.now() - t0;

  // Done when both B and C show the whole text.
  await waitFor('B and C to show every keystroke', async () => {
    const v = await Promise.all([b, c].map(async (d) => (await fieldValue(d.page)).slice(base)));
    return v.every((s) => s === text) || `B has ${v[0].length}, C has ${v[1].length} of ${keystrokes}`;
  }, timeoutMs, 100);
  await sleep(300); // late frames (acknowledgements) still count towards the keystrokes
  const sent = wire.stop();
  await wire.detach();

  const [ra, rb, rc] = await Promise.all([a, b, c].map((d) => d.page.evaluate(() => {
    window.__syncProbe.disarm();
    return window.__syncProbe.take();
  })));
  if (ra.keydowns.length !== keystrokes) {
    throw new Error(`A recorded ${ra.keydowns.length} keydowns, expected ${keystrokes}`);
  }
  const visibleB = visibleTimes(rb.seen, text, 'B');
  const visibleC = visibleTimes(rc.seen, text, 'C');
  const latencies = ra.keydowns.map((t, i) => Math.max(visibleB[i], visibleC[i]) - t);
  const breakdown = phases(ra, [[rb, visibleB], [rc, visibleC]]);
  if (log && breakdown) log(`phases (p50 / p90 ms): ${breakdown}`);
  if (log) {
    const kinds = Object.entries(sent.byKind)
      .map(([k, v]) => `${k}: ${v.frames} frames, ${(v.bytes / v.frames).toFixed(1)} B each`)
      .join('; ');
    log(`typed ${keystrokes} keys in ${(typingMs / 1000).toFixed(1)} s; ${sent.frames} frames from A (${kinds})`);
  }
  return { latencies, bytes: sent.bytes, frames: sent.frames, typingMs, base };
}

/// Where a keystroke's time goes, median and 90th percentile over the keystrokes: on A from
/// keydown to the first WebSocket send after it; from that send to the first message reaching
/// the slower of B and C; from there until that device shows the keystroke.
function phases(a, receivers) {
  const first = (xs, from, to) => xs.find((x) => x >= from && x <= to);
  const [onA, transit, onB] = [[], [], []];
  a.keydowns.forEach((down, i) => {
    const next = a.keydowns[i + 1] ?? Infinity;
    const sent = first(a.sends, down, next);
    if (sent === undefined) return;
    // The slower receiver decides the latency.
    const [r, visible] = receivers.reduce((x, y) => (y[1][i] > x[1][i] ? y : x));
    const arrived = first(r.arrivals, sent, visible[i]);
    if (arrived === undefined) return;
    onA.push(sent - down);
    transit.push(arrived - sent);
    onB.push(visible[i] - arrived);
  });
  if (!onA.length) return null;
  const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
  const show = (xs) => `${q(xs, 0.5)} / ${q(xs, 0.9)}`;
  return `keydown→send on A ${show(onA)}; send→message on B/C ${show(transit)}; message→shown ${show(onB)} (${onA.length} keystrokes)`;
}

/// For keystroke k (0-based), the first time the device's field held the first k+1 characters.
function visibleTimes(seen, text, who) {
  const out = new Array(text.length).fill(undefined);
  let upTo = 0; // keystrokes already seen
  for (const [t, s] of seen) {
    if (s === null || !text.startsWith(s)) continue; // not (yet) our text at the end
    while (upTo < s.length) out[upTo++] = t;
  }
  if (upTo < text.length) throw new Error(`${who} never showed keystroke ${upTo + 1}`);
  return out;
}

/// Nearest-rank percentiles and the maximum, in ms.
export function summarize(latencies) {
  const s = [...latencies].sort((x, y) => x - y);
  const pct = (p) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
  return { n: s.length, p50: pct(50), p95: pct(95), p99: pct(99), max: s[s.length - 1] };
}

/// Resident and peak memory of a process, in MiB, from /proc/<pid>/status.
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) ?? [])[1]);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, peakMiB: NaN };
  }
}

/// CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat.
export function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/// The machine's CPU counters (all cores), from the first line of /proc/stat.
export function machineCpu() {
  const n = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: n.slice(0, 8).reduce((x, y) => x + y, 0), idle: n[3] + n[4] };
}

/// The share of all cores busy between two samples (0..1).
export function busyBetween(a, b) {
  const dt = b.total - a.total;
  return dt > 0 ? 1 - (b.idle - a.idle) / dt : 0;
}

/// Waits until the machine is idle: under 15% busy over two 250 ms windows in a row (the sync
/// server saving after the history, the browsers collecting garbage, …), so that every system
/// starts typing on a quiet machine; gives up after `timeoutMs`. Returns how long it waited.
export async function waitQuiet(timeoutMs = 30_000) {
  const sample = machineCpu;
  const started = Date.now();
  let calm = 0;
  let last = sample();
  while (calm < 2 && Date.now() - started < timeoutMs) {
    await sleep(250);
    const now = sample();
    calm = busyBetween(last, now) < 0.15 ? calm + 1 : 0;
    last = now;
  }
  return Date.now() - started;
}

/// USER_HZ: 100 on Linux for every architecture node runs on here.
const CLOCK_TICKS = 100;
