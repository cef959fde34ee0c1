// Child processes on free loopback ports, the static file server for the comparison pages, and
// bundling those pages with esbuild.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const nodeDir = path.resolve(here, '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/// Polls `url` until it answers 200; fails early if the process exits.
export async function waitHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.join(' ')} exited (${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/// Starts a server process; its output goes to the harness's stderr, prefixed, when `verbose`.
export function startProcess(name, command, args, { env = {}, verbose = false, cwd = nodeDir } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (verbose) process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    child,
    pid: child.pid,
    tail: () => tail.join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/// A node sync server from ./servers/, on a free port; ready when GET / answers.
export async function startNodeServer(name, script, { env = {}, verbose = false } = {}) {
  const port = await freePort();
  const p = startProcess(name, process.execPath, [path.join(here, 'servers', script)],
    { env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, verbose });
  try {
    await waitHttp(`http://127.0.0.1:${port}/`, p.child);
  } catch (e) {
    await p.stop();
    throw new Error(`${e.message}\n${p.tail()}`);
  }
  return { ...p, port, wsUrl: `ws://127.0.0.1:${port}` };
}

/// Bundles the comparison pages (pages/*.js) for the browser into a temporary directory.
export async function bundlePages(names) {
  const { build } = await import('esbuild');
  const out = mkdtempSync(path.join(tmpdir(), 'dreieck-bench-sync-pages-'));
  await build({
    entryPoints: names.map((n) => path.join(here, 'pages', `${n}.js`)),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    outdir: out,
    nodePaths: [path.join(nodeDir, 'node_modules')],
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const html = readFileSync(path.join(here, 'pages', 'page.html'), 'utf8');
  for (const n of names) writeFileSync(path.join(out, `${n}.html`), html.replace('PAGE_SCRIPT', `./${n}.js`));
  return { dir: out, remove: () => rmSync(out, { recursive: true, force: true }) };
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

/// Serves a directory on a free loopback port (GET only, no listing).
export async function staticServer(dir) {
  const server = createServer((req, res) => {
    const name = path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = path.join(dir, name);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}
