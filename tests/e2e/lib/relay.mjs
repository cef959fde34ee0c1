// A relay of the test's own (the sync tests kill and restart it), on a free port with a
// temporary data directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function healthy(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}`);
    try {
      const res = await fetch(url + '/healthz');
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('relay did not become healthy within 30 s');
}

export class TestRelay {
  /// `env`: settings for the relay (its limits, e.g. `DREIECK_MAX_FRAME_BYTES`).
  static async start({ env = {} } = {}) {
    const bin = process.env.DREIECK_RELAY_BIN;
    const dist = process.env.DREIECK_DIST;
    if (!bin || !dist) throw new Error('DREIECK_RELAY_BIN and DREIECK_DIST must be set (cargo xtask test sets them)');
    const relay = new TestRelay(bin, dist, mkdtempSync(path.join(tmpdir(), 'dreieck-sync-e2e-')), await freePort(), env);
    await relay.run();
    return relay;
  }

  constructor(bin, dist, dataDir, port, env = {}) {
    Object.assign(this, { bin, dist, dataDir, port, env });
    this.url = `http://127.0.0.1:${port}`;
  }

  async run() {
    this.child = spawn(this.bin, ['--host', '127.0.0.1', '--port', String(this.port), '--dist', this.dist, '--data-dir', this.dataDir],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...this.env } });
    await healthy(this.url, this.child);
  }

  /// Kills the relay without warning (SIGKILL: no shutdown, no flush) and waits for it to go.
  async kill() {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async restart() {
    await this.run();
  }

  async stop() {
    // A relay killed before (`kill`) has a signal code and no exit code: nothing to stop.
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
  }

  /// Every byte the relay has on disk (database, WAL, anything else in its data directory).
  storedBytes() {
    return readdirSync(this.dataDir, { recursive: true })
      .map((f) => path.join(this.dataDir, String(f)))
      .filter((f) => { try { readFileSync(f); return true; } catch { return false; } })
      .map((f) => ({ file: f, bytes: readFileSync(f) }));
  }
}
