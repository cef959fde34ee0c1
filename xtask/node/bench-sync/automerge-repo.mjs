// automerge-repo 2 with its WebSocket adapter: the comparison page, and a Repo with the
// WebSocket server adapter and file storage in a node process (as the official sync server).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNodeServer } from './servers.mjs';

export const name = 'automerge-repo';
export const page = 'automerge-repo';

export async function startServer({ verbose }) {
  const data = mkdtempSync(path.join(tmpdir(), 'dreieck-bench-amrg-'));
  const server = await startNodeServer('automerge-repo-server', 'automerge-repo-server.mjs', { env: { DATA_DIR: data }, verbose });
  const stop = server.stop;
  return { ...server, stop: async () => { await stop(); rmSync(data, { recursive: true, force: true }); } };
}

/// A creates the document; B and C open it by its URL.
export async function open({ a, b, c }, server, { pagesUrl }) {
  const base = `${pagesUrl}/automerge-repo.html?ws=${encodeURIComponent(server.wsUrl)}`;
  await a.page.goto(base);
  await a.page.waitForFunction(() => window.bench);
  const docUrl = await a.page.evaluate(() => window.bench.url);
  for (const d of [b, c]) {
    await d.page.goto(`${base}&doc=${encodeURIComponent(docUrl)}`);
    await d.page.waitForFunction(() => window.bench, null, { timeout: 30_000 });
  }
}

/// The history: single-character changes in A, each its own Automerge change.
export async function prefill({ a }, inserts, deletes) {
  await a.page.evaluate(([i, d]) => window.bench.fill(i, d), [inserts, deletes]);
}
