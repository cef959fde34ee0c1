// Yjs 13 with y-websocket: the comparison page bound to a Y.Text, @y/websocket-server's
// connection handler in a node process.
import { randomUUID } from 'node:crypto';
import { startNodeServer } from './servers.mjs';

export const name = 'yjs';
export const page = 'yjs';

export async function startServer({ verbose }) {
  return startNodeServer('yjs-server', 'yjs-server.mjs', { verbose });
}

/// Opens the same room on A, B and C and waits until each has synced with the server.
export async function open({ a, b, c }, server, { pagesUrl }) {
  const room = `bench-${randomUUID()}`;
  const url = `${pagesUrl}/yjs.html?ws=${encodeURIComponent(server.wsUrl)}&room=${room}`;
  for (const d of [a, b, c]) {
    await d.page.goto(url);
    await d.page.waitForFunction(() => window.bench && window.bench.ready);
    await d.page.evaluate(() => window.bench.ready);
  }
}

/// The history: single-character edits in A through the page's own splice.
export async function prefill({ a }, inserts, deletes) {
  await a.page.evaluate(([i, d]) => window.bench.fill(i, d), [inserts, deletes]);
}
