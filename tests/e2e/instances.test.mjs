// Two relay instances on one PostgreSQL database, as an operator runs them for availability:
// two people on different instances write one report live (the instance that does not serve the
// report's room forwards to the one that does), and when the serving instance is killed
// (SIGKILL) in the middle of the work, nothing acknowledged is lost: the device on the other
// instance goes on there, and the device of the killed one comes back when it is restarted.
// Direct connections are off, so everything goes through the relays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { converged } from './lib/app.mjs';

/// A fresh database on the PostgreSQL server `cargo xtask test` started.
function freshDatabase() {
  const admin = process.env.DREIECK_TEST_POSTGRES;
  if (!admin) throw new Error('DREIECK_TEST_POSTGRES must be set (cargo xtask test sets it)');
  const name = `e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return admin.replace(/\/[^/?]*(\?.*)?$/, `/${name}`);
}

/// Waits until the relay has acknowledged every change typed on `page`.
async function acknowledged(page) {
  await page.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 30_000 });
}

describe('two relay instances on one database', () => {
  let one; let two; let browser; let a; let b; let spare;

  before(async () => {
    const database = freshDatabase();
    one = await TestRelay.start({ env: { DREIECK_DATABASE: database } });
    two = await TestRelay.start({ env: { DREIECK_DATABASE: database } });
    browser = await launch();
    a = await device(browser);
    await a.context.addInitScript(() => localStorage.setItem('dreieck.direkt', '"aus"'));
    await a.page.goto(one.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').waitFor();
    const link = await invite(a.page, 'beneficiary', 'Frau K.', { keepOpen: true });
    spare = await invite(a.page, 'guardian', 'Frau Betreuerin');
    await synced(a.page);
    // The person supported's device reaches the other instance.
    assert.ok(link.startsWith(one.url));
    b = await join(browser, link.replace(one.url, two.url), { direct: false });
  });

  after(async () => {
    // The killed instance is unreachable for a while on purpose: failed WebSocket attempts
    // are expected in the console, nothing else.
    const expected = /^WebSocket connection to '[^']*\/sync' failed: /;
    const errors = [a, b].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await one?.stop();
    await two?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('two people on two instances type into one field at once and both texts survive', async () => {
    const first = ' Zaunkönig singt früh.';
    const second = ' Wasseramsel taucht tief.';
    await a.page.locator('#feld-lb_name').focus();
    await b.page.locator('#feld-lb_name').focus();
    await Promise.all([
      a.page.keyboard.type(first, { delay: 20 }),
      b.page.keyboard.type(second, { delay: 20 }),
    ]);
    const text = await converged([a.page, b.page], 'lb_name',
      (v) => v.includes(first.trim()) && v.includes(second.trim()));
    assert.equal(text.length, first.length + second.length);
  });

  test('the serving instance killed mid-typing loses nothing acknowledged', async () => {
    // The report's room is served by the first instance (its first device came there).
    await b.page.locator('#feld-lb_anschrift').fill('Vor dem Absturz: Bergmolch.');
    await acknowledged(b.page);
    await b.page.locator('#feld-wuensche').focus();
    await b.page.keyboard.type('Mitten im Tippen: Feuersalamander', { delay: 20 });
    await one.kill();
    // The person supported goes on at the second instance, which takes the room over.
    await b.page.keyboard.type(' und Kreuzotter.', { delay: 20 });
    await acknowledged(b.page);
    // The first device comes back through its restarted instance, which now forwards.
    await one.restart();
    await synced(a.page);
    await converged([a.page, b.page], 'lb_anschrift', (v) => v === 'Vor dem Absturz: Bergmolch.');
    await converged([a.page, b.page], 'wuensche',
      (v) => v === 'Mitten im Tippen: Feuersalamander und Kreuzotter.');
    // A new device learns everything from the relays alone.
    const d = await join(browser, spare.replace(one.url, two.url), { direct: false });
    await converged([d.page], 'lb_anschrift', (v) => v.includes('Bergmolch'));
    await converged([d.page], 'wuensche', (v) => v.includes('Kreuzotter'));
    assert.deepEqual(d.errors, []);
    await d.context.close();
  });
});
