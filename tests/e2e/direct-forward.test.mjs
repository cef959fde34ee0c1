// What a device got only directly reaches the relay through that device (issue 14, part 3):
// the tablet reaches the phone (its hotspot, or at a home visit) but not the server; the phone
// does, and a third device gets the tablet's words. The third device has direct channels
// turned off, so what it gets came through the relay; and the relay keeps running, so it is
// not the full state every device sends to a restarted relay that carries the words.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { converged, newReport } from './lib/app.mjs';

describe('passing on what came directly', () => {
  let relay; let browser; let a; let b; let c;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    a = await device(browser);
    await a.page.goto(relay.url + '/');
    await newReport(a.page);
    const link = await invite(a.page, 'provider', 'Herr Zwei');
    const linkForC = await invite(a.page, 'guardian', 'Frau Betreuerin');
    await synced(a.page);
    b = await join(browser, link);
    c = await join(browser, linkForC, { direct: false });
    // Three devices of one browser on a machine with two cores: finding the direct channel
    // through the relay took over 30 s once.
    for (const d of [a, b]) {
      await d.page.locator('.sync-status[data-path="direkt"]').waitFor({ timeout: 60_000 });
    }
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test('the tablet cannot reach the relay; the phone passes its words on', async () => {
    // From now on the tablet's connections to the server fail (as on a network that carries
    // the direct channel but not the internet: its page opens every socket to a closed port);
    // the one it has goes with a restart, after which every device has sent its full state to
    // the relay: nothing new yet.
    await a.page.evaluate(() => {
      const Real = window.WebSocket;
      const Unreachable = function (url, protocols) {
        return new Real('ws://127.0.0.1:9/unerreichbar', protocols);
      };
      Unreachable.prototype = Real.prototype;
      Object.assign(Unreachable, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
      window.WebSocket = Unreachable;
    });
    await relay.kill();
    await relay.restart();
    for (const d of [b, c]) {
      await d.page.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 30_000 });
    }
    await a.page.locator('.sync-status[data-cause="server"][data-path="direkt"]').waitFor({ timeout: 30_000 }).catch(async (e) => {
      const html = (p) => p.locator('.sync-status').evaluate((el) => el.outerHTML);
      throw new Error(`${e.message}\nA: ${await html(a.page)}\nB: ${await html(b.page)}`);
    });
    await a.page.locator('#feld-entwicklung_freizeit').click();
    await a.page.keyboard.type('Nur direkt: Wiedehopf', { delay: 30 });
    await converged([a.page, b.page], 'entwicklung_freizeit', (v) => v === 'Nur direkt: Wiedehopf');
    await converged([c.page], 'entwicklung_freizeit', (v) => v === 'Nur direkt: Wiedehopf');
    // The tablet itself still has them waiting for the server.
    await a.page.locator('.sync-waiting', { hasText: 'noch nicht auf dem Server' }).waitFor();
    assert.equal(await c.page.locator('.sync-status').getAttribute('data-path'), 'server');
    assert.deepEqual(c.errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });
});
