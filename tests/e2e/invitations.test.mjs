// Joining by link as people do it: the person opens the link while the device that invited
// them is away, and is let in when it is back; a withdrawn invitation lets nobody in; the
// link names no room, so whoever holds it reads nothing until the inviting device admits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { waitSaved } from './lib/app.mjs';

describe('invitations admitted by the inviting device', () => {
  let relay; let browser; let a;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').fill('Erika Beispiel');
    await waitSaved(a.page);
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: /;
    const errors = (a?.errors ?? []).filter((e) => !expected.test(e));
    await browser?.close();
    await relay?.stop();
    assert.deepEqual(errors, [], 'no errors in the page');
  });

  test('a link opened while the inviting device is offline waits, and joins once it is back', async () => {
    const link = await invite(a.page, 'caseworker', 'Herr Amt');
    await synced(a.page);
    await a.context.setOffline(true);
    await a.page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: 15_000 });
    // The device has no network: it says so, not that the server is down.
    await a.page.locator('.sync-status[data-cause="kein-netz"]', { hasText: /^Kein Netz seit \d\d:\d\d · nicht verbunden$/ }).waitFor();
    const b = await device(browser);
    await b.page.goto(link);
    const waiting = b.page.getByRole('status').getByText('Warte auf das Gerät, von dem die Einladung kommt');
    await waiting.waitFor({ timeout: 15_000 });
    // Nothing of the report is on the joining device while it waits.
    assert.equal(await b.page.locator('#feld-lb_name').count(), 0);
    // Nobody answers for a while: the page says what may be wrong and what to do.
    await b.page.locator('.long-wait', { hasText: 'Bitten Sie die Person, die Ihnen den Link geschickt hat, Dreieck zu öffnen' }).waitFor({ timeout: 40_000 });
    assert.deepEqual(await axe(b.page), []);
    const shot = process.env.WAITING_SCREENSHOT;
    if (shot) await b.page.screenshot({ path: shot, fullPage: true });
    // A writes while offline; back online, it admits B, and B gets everything.
    await a.page.locator('#feld-entwicklung_freizeit').fill('Geht gern schwimmen.');
    await a.context.setOffline(false);
    await b.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await synced(b.page);
    assert.equal(await b.page.locator('#feld-lb_name').inputValue(), 'Erika Beispiel');
    assert.equal(await b.page.getByLabel('Meine Rolle').inputValue(), 'caseworker');
    await b.page.waitForFunction(() => document.querySelector('#feld-entwicklung_freizeit')?.value === 'Geht gern schwimmen.', null, { timeout: 30_000 });
    // B writes in its role; A sees it, credited to the caseworker.
    await b.page.locator('#feld-gesamtplan_vom').fill('2026-04-01');
    await a.page.waitForFunction(() => document.querySelector('#feld-gesamtplan_vom')?.value === '2026-04-01', null, { timeout: 30_000 });
    // Used: "Teilen" on A lists B as a member, no longer as an open invitation.
    await a.page.locator('#teilen').click();
    const dialog = a.page.locator('dialog.share-dialog');
    await dialog.locator('.member-list .member', { hasText: 'Herr Amt' }).filter({ hasNotText: 'noch nicht dabei' }).waitFor({ timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Fertig' }).click();
    await b.context.close();
  });

  test('a withdrawn invitation lets nobody in, and says so', async () => {
    const link = await invite(a.page, 'guardian', 'Frau Betreuerin', { keepOpen: true });
    const dialog = a.page.locator('dialog.share-dialog');
    await dialog.getByRole('button', { name: /^Einladung zurückziehen: Frau Betreuerin/ }).click();
    await dialog.locator('.member-list .member', { hasText: 'Frau Betreuerin' }).waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Fertig' }).click();
    const c = await device(browser);
    await c.page.goto(link);
    await c.page.getByRole('alert').getByText('Sie wurde zurückgezogen').waitFor({ timeout: 15_000 });
    assert.equal(await c.page.locator('#feld-lb_name').count(), 0);
    assert.deepEqual(await axe(c.page), []);
    await c.context.close();
  });
});
