// A report whose history is larger than one frame may be (issue 19: sync must never wedge on a
// large change): a device pastes long texts, each change larger than a message part (1 MiB), into
// a relay that takes no frame above 1.1 MB. Everything has to travel in parts — the author's
// appends up, the catch-up down to a fresh device — and arrive whole; a reload keeps it.
//
// Why megabytes and not the 20 MB of the native tests (crates/relay/tests/sync.rs,
// crates/session/tests/link.rs): a document with 20 million characters of history takes Automerge
// a minute to load natively and gigabytes of memory; the browser's share of the path (splitting,
// joining, storing, applying in parts) is the same at 3 MB.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { device, invite, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { valueOf } from './lib/app.mjs';

// Above a part (1 MiB + 3 bytes of header), below two: a message sent in one frame is refused.
const FRAME_LIMIT = 1_100_000;
const CHARS = 1_400_000;
const FIELDS = ['entwicklung_allgemein', 'entwicklung_freizeit'];

/// Text that does not compress much, so the sealed change is as large as it looks. One line:
/// Chromium's own editing takes seconds per thousand line breaks pasted into any textarea
/// (measured on a bare page), which would measure the browser, not the sync.
function longText(n) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzäöüß ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

async function acknowledged(page) {
  await page.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 120_000 });
}

async function metric(relay, name) {
  const text = await (await fetch(relay.url + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('a history larger than a frame', () => {
  let relay; let browser; let a; let b; const texts = {};

  before(async () => {
    relay = await TestRelay.start({ env: { DREIECK_MAX_FRAME_BYTES: String(FRAME_LIMIT) } });
    browser = await launch();
    a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').waitFor();
  });

  after(async () => {
    const errors = [a, b].map((d) => d?.errors ?? []);
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('long texts reach the relay in parts and a fresh device gets them whole', { timeout: 600_000 }, async () => {
    const link = await invite(a.page, 'caseworker', 'Herr Amt');
    await synced(a.page);
    for (const field of FIELDS) {
      texts[field] = longText(CHARS);
      await a.page.locator(`#feld-${field}`).fill(texts[field]);
    }
    await acknowledged(a.page);
    const stored = await metric(relay, 'dreieck_relay_stored_bytes');
    assert.ok(stored > FIELDS.length * FRAME_LIMIT, `the relay stores the long texts (${stored} bytes)`);

    // A fresh device, with direct channels off: all of it comes through the relay.
    const started = Date.now();
    b = await device(browser);
    await b.context.addInitScript(() => localStorage.setItem('dreieck.direkt', '"aus"'));
    await b.page.goto(link);
    await b.page.locator('#feld-lb_name').waitFor({ timeout: 180_000 });
    await b.page.locator('.sync-status[data-state="synchron"]').waitFor({ timeout: 180_000 });
    console.log(`fresh device: ${stored} bytes of history in ${Date.now() - started} ms`);
    for (const field of FIELDS) {
      const shown = await valueOf(b.page, field);
      assert.equal(shown.length, CHARS, `${field}: every character`);
      assert.ok(shown === texts[field], `${field}: the same text`);
    }
    // What came in parts was stored whole: a reload shows it again.
    await b.page.reload();
    await b.page.locator('#feld-lb_name').waitFor({ timeout: 60_000 });
    for (const field of FIELDS) {
      assert.ok(await valueOf(b.page, field) === texts[field], `${field}: kept after a reload`);
    }
  });
});
