// Two devices in one room connect directly (a WebRTC data channel found through the relay):
// keystrokes go the short way, the channel carries on when the relay is gone, and what went
// directly reaches a third device through the relay afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { converged, valueOf } from './lib/app.mjs';

const direct = (page) => page.locator('.sync-status[data-path="direkt"]').waitFor({ timeout: 30_000 });

describe('devices connected directly', () => {
  let relay; let browser; let a; let b;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').waitFor();
    const link = await invite(a.page, 'provider', 'Herr Zwei');
    await synced(a.page);
    b = await join(browser, link);
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test('two devices at the relay find a direct channel, and the indicator names it', async () => {
    await direct(a.page);
    await direct(b.page);
    const status = a.page.locator('.sync-status');
    assert.match(await status.innerText(), /^Synchron seit \d\d:\d\d · direkt verbunden$/);
    assert.deepEqual(await axe(a.page), []);
  });

  test('with the relay killed, typing goes on directly both ways', async () => {
    await relay.kill();
    for (const d of [a, b]) {
      await d.page.locator('.sync-status[data-cause="server"][data-path="direkt"]').waitFor({ timeout: 15_000 });
    }
    assert.match(await a.page.locator('.sync-status').innerText(), /^Server nicht erreichbar seit \d\d:\d\d · direkt verbunden$/);
    // Keystroke by keystroke, as a person types.
    await a.page.locator('#feld-entwicklung_freizeit').click();
    await a.page.keyboard.type('Direkt getippt: Zaunkoenig', { delay: 30 });
    await converged([a.page, b.page], 'entwicklung_freizeit', (v) => v === 'Direkt getippt: Zaunkoenig');
    await b.page.locator('#feld-entwicklung_kommunikation').click();
    await b.page.keyboard.type('Von B: Gartenrotschwanz', { delay: 30 });
    await converged([a.page, b.page], 'entwicklung_kommunikation', (v) => v === 'Von B: Gartenrotschwanz');
    // A change made while the relay is gone waits for it, and the page says where it is.
    await a.page.locator('.sync-waiting', { hasText: 'noch nicht auf dem Server' }).waitFor();
  });

  test('what went directly reaches a third device through the relay afterwards', async () => {
    await relay.restart();
    for (const d of [a, b]) {
      await d.page.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 30_000 });
    }
    const link = await invite(a.page, 'guardian', 'Frau Betreuerin');
    const c = await join(browser, link);
    await converged([a.page, c.page], 'entwicklung_freizeit', (v) => v === 'Direkt getippt: Zaunkoenig');
    await converged([a.page, c.page], 'entwicklung_kommunikation', (v) => v === 'Von B: Gartenrotschwanz');
    assert.deepEqual(c.errors, []);
    await c.context.close();
  });

  test('a device that goes offline drops its direct channels and gets nothing until it is back', async () => {
    await b.context.setOffline(true);
    await b.page.locator('.sync-status[data-cause="kein-netz"][data-path="keiner"]').waitFor({ timeout: 15_000 });
    await a.page.locator('.sync-status[data-state="synchron"]:not([data-path="direkt"])').waitFor({ timeout: 15_000 });
    await a.page.locator('#feld-entwicklung_orientierung').fill('Während B offline ist');
    await a.page.waitForTimeout(500);
    assert.equal(await valueOf(b.page, 'entwicklung_orientierung'), '');
    await b.context.setOffline(false);
    await converged([a.page, b.page], 'entwicklung_orientierung', (v) => v === 'Während B offline ist');
    await direct(b.page);
    // The browser's own words about the relay it could not reach are no error of the app.
    const unexpected = [...a.errors, ...b.errors].filter((e) => !/WebSocket connection to .* failed/.test(e));
    assert.deepEqual(unexpected, []);
  });
});
