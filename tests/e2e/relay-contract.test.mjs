// What docs/contracts.md promises a browser about refusals, checked with the browser's own
// WebSocket against the real relay: an error frame first, then the close code of the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, launch } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';

const LIMIT = 64 * 1024;
const PROTOCOL_VERSION = 1;
const ERROR = 11;
const FRAME_TOO_LARGE = 6;

describe('the relay keeps its contract with a browser', () => {
  let relay; let browser; let d;

  before(async () => {
    relay = await TestRelay.start({ env: { DREIECK_MAX_FRAME_BYTES: String(LIMIT) } });
    browser = await launch();
    d = await device(browser);
    await d.page.goto(relay.url + '/');
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test('a frame over the limit gets FRAME_TOO_LARGE, then close code 1009', async () => {
    for (const size of [LIMIT + 1, 4 * LIMIT, 16 * LIMIT]) {
      const seen = await d.page.evaluate(([url, size]) => new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        const frames = [];
        ws.onopen = () => ws.send(new Uint8Array(size));
        ws.onmessage = (ev) => frames.push(Array.from(new Uint8Array(ev.data).slice(0, 3)));
        ws.onclose = (ev) => resolve({ frames, code: ev.code });
      }), [relay.url.replace('http', 'ws') + '/sync', size]);
      assert.deepEqual(seen.frames, [[PROTOCOL_VERSION, ERROR, FRAME_TOO_LARGE]], `${size} bytes: one error frame`);
      assert.equal(seen.code, 1009, `${size} bytes: the close code`);
    }
  });
});
