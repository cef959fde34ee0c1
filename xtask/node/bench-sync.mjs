// Keystroke latency across devices (issue 3): Dreieck compared with automerge-repo 2 and Yjs.
//
// For each system and each variant (a fresh document; a field already holding 10,000 characters
// with 20,000 edits of history), three devices (browser contexts) in headless Chromium open the
// same document through that system's sync server on loopback. A types 300 characters, one
// every 30 ms, at the end of `#feld-wuensche`; each keystroke's latency is the time from its
// keydown on A until both B and C show it. Printed: p50/p95/p99/max, the WebSocket payload bytes
// A sent per keystroke, the sync server's resident memory afterwards, and ratios between systems.
//
// `dreieck` types with the devices also connected directly (WebRTC), `dreieck-relay` with
// direct channels off, so the relay's path alone.
//
//   node xtask/node/bench-sync.mjs [--only dreieck,dreieck-relay,automerge-repo,yjs] [--variants fresh,history]
//        [--relay-bin target/release/dreieck-relay --dist dist] [--keystrokes 300]
//        [--interval 30] [--runs 1] [--json out.json] [--verbose] [--trace]
//
// --runs N repeats every scenario N times (each with its own server and devices) and pools the
// keystrokes: the percentiles are then over N × 300 keystrokes, the other figures are means.
// Each scenario also prints where the time goes (keydown to WebSocket send on A, send to message
// on the slower of B and C, message to shown), from the same probe.
// --trace records a Chromium trace of the typing and names the tasks behind every keystroke
// slower than 10 ms (TRACE_OVER_MS sets another threshold; a diagnosis: tracing itself costs
// some time).
//
// `cargo xtask bench sync` builds the app and the relay and passes --relay-bin and --dist.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHROMIUM_ARGS, busyBetween, cpuMsOf, device, machineCpu, memoryOf, summarize, typeAndMeasure, waitQuiet, waitSameLength } from './bench-sync/measure.mjs';
import { bundlePages, nodeDir, staticServer } from './bench-sync/servers.mjs';
import { explain, startProfile, startTrace } from './bench-sync/trace.mjs';
import * as dreieck from './bench-sync/dreieck.mjs';
import * as dreieckRelay from './bench-sync/dreieck-relay.mjs';
import * as automergeRepo from './bench-sync/automerge-repo.mjs';
import * as yjs from './bench-sync/yjs.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const SYSTEMS = [dreieck, dreieckRelay, automergeRepo, yjs];
const VARIANTS = {
  fresh: { label: 'fresh document', inserts: 0, deletes: 0 },
  history: { label: '10,000 chars, 20,000 edits', inserts: 15_000, deletes: 5_000 },
};

function parseArgs(argv) {
  const o = {
    only: SYSTEMS.map((s) => s.name), variants: Object.keys(VARIANTS), keystrokes: 300, interval: 30, runs: 1,
    relayBin: null, dist: null, json: null, verbose: false, trace: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--only': o.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--variants': o.variants = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--keystrokes': o.keystrokes = Number(value()); break;
      case '--interval': o.interval = Number(value()); break;
      case '--runs': o.runs = Number(value()); break;
      case '--relay-bin': o.relayBin = path.resolve(value()); break;
      case '--dist': o.dist = path.resolve(value()); break;
      case '--json': o.json = path.resolve(value()); break;
      case '--verbose': o.verbose = true; break;
      case '--trace': o.trace = true; break;
      case '--profile': o.profile = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  for (const s of o.only) if (!SYSTEMS.some((x) => x.name === s)) throw new Error(`unknown system ${s} (${SYSTEMS.map((x) => x.name).join(', ')})`);
  for (const v of o.variants) if (!VARIANTS[v]) throw new Error(`unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})`);
  if (!(o.keystrokes > 0 && o.keystrokes <= 1000) || !(o.interval > 0)) throw new Error('bad --keystrokes or --interval');
  if (!(Number.isInteger(o.runs) && o.runs >= 1 && o.runs <= 20)) throw new Error('bad --runs');
  return o;
}

const log = (s) => process.stderr.write(`${s}\n`);

/// One system, one variant: its own server and three fresh devices.
async function scenario(system, variantName, opts, env) {
  const variant = VARIANTS[variantName];
  const server = await system.startServer({ relayBin: opts.relayBin, dist: opts.dist, verbose: opts.verbose });
  const devices = {};
  try {
    for (const n of ['a', 'b', 'c']) devices[n] = await device(env.browser, n.toUpperCase());
    const all = [devices.a, devices.b, devices.c];
    const started = Date.now();
    await system.open(devices, server, { pagesUrl: env.pagesUrl });
    log(`  live on A, B, C after ${Date.now() - started} ms`);
    if (variant.inserts || variant.deletes) {
      const t = Date.now();
      await system.prefill(devices, variant.inserts, variant.deletes, log);
      const length = variant.inserts - variant.deletes;
      await waitSameLength(all.map((d) => d.page), length, 15 * 60_000, 'the history');
      log(`  history built and on B and C after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    // Let the history's last messages and any saving settle.
    await sleep(1000);
    const quiet = await waitQuiet();
    if (quiet > 1000) log(`  waited ${(quiet / 1000).toFixed(1)} s for the machine to be idle`);
    const stored0 = await system.storedBytes?.(server);
    const cpu0 = cpuMsOf(server.pid);
    const machine0 = machineCpu();
    const trace = opts.trace ? await startTrace(env.browser) : null;
    const profiles = opts.profile ? [await startProfile(devices.a.page, 'A'), await startProfile(devices.b.page, 'B')] : [];
    const m = await typeAndMeasure({ ...devices, keystrokes: opts.keystrokes, intervalMs: opts.interval, log: (s) => log(`  ${s}`) });
    for (const p of profiles) await p.stop({ keystrokes: opts.keystrokes, log });
    if (trace) await explain(await trace.stop(), m.latencies, { log, overMs: Number(process.env.TRACE_OVER_MS ?? 10) });
    const mem = memoryOf(server.pid);
    // Sealed bytes the server committed to its storage while A typed (Dreieck's relay reports
    // it in /metrics; the comparison servers have no such counter). Waits for the last commit.
    await sleep(500);
    const stored1 = await system.storedBytes?.(server);
    const storedPerKey = stored0 === undefined || stored1 === undefined ? NaN : (stored1 - stored0) / opts.keystrokes;
    if (!Number.isNaN(storedPerKey)) log(`  stored by the server: ${storedPerKey.toFixed(1)} B/key (sealed entries, without SQLite's own overhead)`);
    const serverCpuMsPerKey = (cpuMsOf(server.pid) - cpu0) / opts.keystrokes;
    const machineBusy = busyBetween(machine0, machineCpu());
    if (!m.frames) log('  no WebSocket frame seen on A\'s page: bytes per keystroke not measured');
    const errors = all.flatMap((d) => d.errors.map((e) => `${d.name}: ${e}`));
    if (errors.length) log(`  page errors:\n    ${errors.slice(0, 5).join('\n    ')}`);
    return {
      system: system.name, variant: variantName, ...summarize(m.latencies),
      // No frame at all: A's page sent nothing itself (a worker would not show here).
      bytesPerKey: m.frames ? m.bytes / opts.keystrokes : NaN, framesFromA: m.frames, serverRssMiB: mem.rssMiB,
      serverPeakMiB: mem.peakMiB, serverCpuMsPerKey, storedPerKey, machineBusy, baseLength: m.base, latencies: m.latencies.map((x) => Math.round(x * 100) / 100),
    };
  } finally {
    for (const d of Object.values(devices)) await d.context.close().catch(() => {});
    await server.stop();
  }
}

/// One row per system and variant: the keystrokes of all successful runs pooled, the other
/// figures averaged; a row fails only when every run of it failed.
function pool(runs, opts, systems) {
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const rows = [];
  for (const variant of opts.variants) {
    for (const system of systems) {
      const mine = runs.filter((r) => r.system === system.name && r.variant === variant);
      const ok = mine.filter((r) => !r.error);
      if (!ok.length) {
        rows.push({ system: system.name, variant, error: mine[0]?.error ?? 'not run' });
        continue;
      }
      const latencies = ok.flatMap((r) => r.latencies);
      rows.push({
        system: system.name, variant, runs: ok.length, failedRuns: mine.length - ok.length, ...summarize(latencies),
        bytesPerKey: mean(ok.map((r) => r.bytesPerKey)), serverRssMiB: mean(ok.map((r) => r.serverRssMiB)),
        serverPeakMiB: mean(ok.map((r) => r.serverPeakMiB)), serverCpuMsPerKey: mean(ok.map((r) => r.serverCpuMsPerKey)),
        machineBusy: mean(ok.map((r) => r.machineBusy)),
      });
    }
  }
  return rows;
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);

function printTable(results, opts) {
  const pooled = opts.runs > 1 ? `; ${opts.runs} runs pooled` : '';
  console.log(`\n== Keystroke latency, A -> visible on both B and C (${opts.keystrokes} keys, one per ${opts.interval} ms${pooled}), relay/server on loopback`);
  console.log(`${padEnd('variant', 28)}${padEnd('system', 16)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('B/key A', 10)}${pad('srv RSS MiB', 13)}${pad('srv CPU ms/key', 16)}${pad('busy %', 8)}`);
  for (const r of results) {
    const v = padEnd(VARIANTS[r.variant].label, 28);
    if (r.error) {
      console.log(`${v}${padEnd(r.system, 16)}  failed: ${r.error.split('\n')[0]}`);
      continue;
    }
    console.log(`${v}${padEnd(r.system, 16)}${pad(f1(r.p50), 9)}${pad(f1(r.p95), 9)}${pad(f1(r.p99), 9)}${pad(f1(r.max), 9)}${pad(f1(r.bytesPerKey), 10)}${pad(f1(r.serverRssMiB), 13)}${pad(r.serverCpuMsPerKey.toFixed(2), 16)}${pad((r.machineBusy * 100).toFixed(0), 8)}${r.failedRuns ? `  (${r.failedRuns} of ${r.runs + r.failedRuns} runs failed)` : ''}`);
  }

  const ok = results.filter((r) => !r.error);
  const names = [...new Set(ok.map((r) => r.system))];
  const baseline = ['dreieck', 'yjs'].find((n) => names.includes(n)) ?? names[0];
  if (names.length < 2) return;
  console.log(`\n== Ratios: system / ${baseline}${baseline === 'dreieck' ? '' : ' (no Dreieck figures in this run)'}`);
  console.log(`${padEnd('variant', 28)}${padEnd('system', 16)}${pad('p50', 9)}${pad('p95', 9)}${pad('p99', 9)}${pad('max', 9)}${pad('B/key', 10)}${pad('srv RSS', 13)}${pad('srv CPU', 16)}`);
  const x = (a, b) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}x` : '–');
  for (const r of ok) {
    if (r.system === baseline) continue;
    const base = ok.find((b) => b.system === baseline && b.variant === r.variant);
    if (!base) continue;
    console.log(`${padEnd(VARIANTS[r.variant].label, 28)}${padEnd(r.system, 16)}${pad(x(r.p50, base.p50), 9)}${pad(x(r.p95, base.p95), 9)}${pad(x(r.p99, base.p99), 9)}${pad(x(r.max, base.max), 9)}${pad(x(r.bytesPerKey, base.bytesPerKey), 10)}${pad(x(r.serverRssMiB, base.serverRssMiB), 13)}${pad(x(r.serverCpuMsPerKey, base.serverCpuMsPerKey), 16)}`);
  }
}

function versions(browserVersion) {
  const v = (p) => JSON.parse(readFileSync(path.join(nodeDir, 'node_modules', p, 'package.json'), 'utf8')).version;
  return {
    chromium: browserVersion, node: process.version,
    '@automerge/automerge-repo': v('@automerge/automerge-repo'), '@automerge/automerge': v('@automerge/automerge'),
    yjs: v('yjs'), 'y-websocket': v('y-websocket'), '@y/websocket-server': v('@y/websocket-server'),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const systems = SYSTEMS.filter((s) => opts.only.includes(s.name));
  const pages = systems.map((s) => s.page).filter(Boolean);
  const bundle = pages.length ? await bundlePages(pages) : null;
  const site = bundle ? await staticServer(bundle.dir) : null;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const env = { browser, pagesUrl: site?.url };
  const runs = [];
  const ver = versions(browser.version());
  try {
    log(`versions: ${Object.entries(ver).map(([k, val]) => `${k} ${val}`).join(', ')}`);
    for (let run = 1; run <= opts.runs; run++) {
      for (const variant of opts.variants) {
        for (const system of systems) {
          log(`\n-- ${system.name}, ${VARIANTS[variant].label}${opts.runs > 1 ? `, run ${run} of ${opts.runs}` : ''}`);
          try {
            const r = await scenario(system, variant, opts, env);
            log(`  p50 ${f1(r.p50)} p95 ${f1(r.p95)} p99 ${f1(r.p99)} max ${f1(r.max)} ms; ${f1(r.bytesPerKey)} B/key; server ${f1(r.serverRssMiB)} MiB, ${r.serverCpuMsPerKey.toFixed(2)} ms CPU/key; machine ${(r.machineBusy * 100).toFixed(0)}% busy while typing`);
            runs.push({ run, ...r });
          } catch (e) {
            log(`  FAILED: ${e.stack ?? e}`);
            runs.push({ run, system: system.name, variant, error: String(e.message ?? e) });
          }
        }
      }
    }
  } finally {
    await browser.close();
    await site?.close();
    bundle?.remove();
  }
  const results = pool(runs, opts, systems);
  printTable(results, opts);
  console.log('\nB/key A: WebSocket payload bytes A sent while typing, per keystroke (CDP Network.webSocketFrameSent, frame headers not counted).');
  console.log('srv RSS: VmRSS of the sync server process (Dreieck: the relay, which also serves the app) after the typing.');
  console.log('srv CPU: CPU time (user + system) the sync server process used from just before the typing until B and C showed all of it, per keystroke.');
  console.log('busy %: share of both cores in use while typing (this benchmark included; much more than its own share means other load skewed the figures).');
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ options: opts, versions: ver, results, runs }, null, 2));
    log(`results written to ${opts.json}`);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();
