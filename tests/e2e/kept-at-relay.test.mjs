// "Vom Gerät nehmen": after submission the provider's device drops its copy while the relay
// keeps the sealed one. Not before everything is at the relay (offline, it refuses and keeps
// the report); afterwards no word of the report is in the device's storage, the list says the
// report is only at the server, a reload keeps that, and "Zurückholen" brings it back whole.
// Deleted for everyone meanwhile, fetching back says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { waitSaved } from './lib/app.mjs';
import { TestRelay } from './lib/relay.mjs';
import { recordCounts, storedEverything } from './lib/stored.mjs';

const NAME = 'Karla Kiefernzapfen';
const WORDS = 'Aquarellmalerei im Stadtteiltreff';
/// A directory to put screenshots in (to look at them), if set.
const SHOTS = process.env.KEPT_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true }); };

async function toList(page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Berichte', exact: true }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

async function takeOff(page) {
  await page.getByRole('button', { name: `Bericht von ${NAME} vom Gerät nehmen` }).click();
  const dialog = page.locator('dialog.confirm-dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Der Server bewahrt ihn verschlüsselt auf/);
  await dialog.getByRole('button', { name: 'Vom Gerät nehmen' }).click();
  const outcome = page.locator('#beim-server-meldung');
  await outcome.waitFor();
  return outcome;
}

describe('taking a submitted report off the device', () => {
  let relay; let browser; let provider; let caseworker;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').fill(NAME);
    await provider.page.locator('#feld-entwicklung_allgemein').fill(WORDS);
    const link = await invite(provider.page, 'caseworker', 'Herr Amt');
    await synced(provider.page);
    caseworker = await join(browser, link);
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    const errors = [provider, caseworker].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('only what the relay holds leaves; the list keeps it after a reload, and it comes back whole', async () => {
    const page = provider.page;
    // Submitted while offline: the submission is only on this device.
    await provider.context.setOffline(true);
    await page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: 15_000 });
    await page.locator('#uebermittelt-am').fill('2026-11-30');
    await page.locator('#als-uebermittelt').click();
    await page.locator('#uebermittelt').waitFor();
    await waitSaved(page);
    await toList(page);
    // The list's "Löschen" of a shared report says that it deletes only here, and where
    // deleting for everyone is.
    await page.getByRole('button', { name: `Bericht von ${NAME} löschen` }).click();
    const question = page.locator('dialog.confirm-dialog[open]');
    assert.match(await question.textContent(), /von diesem Gerät löschen\? Die anderen Geräte und der Server behalten ihn\. Für alle löschen Sie ihn im Bericht/);
    await question.getByRole('button', { name: 'Abbrechen' }).click();
    await question.waitFor({ state: 'detached' });
    const refused = await takeOff(page);
    assert.equal(await refused.getAttribute('role'), 'alert');
    assert.match(await refused.textContent(), /bleibt auf diesem Gerät: Noch ist nicht alles .* beim Server angekommen/);
    assert.equal(await page.locator('li.case', { hasText: NAME }).count(), 1, 'still listed');
    assert.equal(await page.locator('.kept-case').count(), 0);
    assert.ok((await storedEverything(page)).includes('Aquarellmalerei'), 'still stored');

    // Online, the report syncs; now it may go.
    await provider.context.setOffline(false);
    await page.locator('li.case a.case-open', { hasText: NAME }).click();
    await synced(page);
    await toList(page);
    const done = await takeOff(page);
    assert.equal(await done.getAttribute('role'), 'status');
    assert.match(await done.textContent(), /ist vom Gerät genommen und liegt nur noch beim Server/);
    assert.equal(await page.locator('ul[aria-label="Berichte auf diesem Gerät"] li.case').count(), 0);
    const kept = page.locator('.kept-case', { hasText: NAME });
    await kept.waitFor();
    assert.match(await kept.textContent(), /nur beim Server/);
    assert.equal((await recordCounts(page)).docs, 0, 'the chunks are gone');
    const stored = await storedEverything(page);
    for (const word of ['Aquarellmalerei', 'Stadtteiltreff']) assert.ok(!stored.includes(word), `"${word}" still stored`);
    assert.deepEqual(await axe(page), [], 'axe on the list with a report only at the server');
    await shot(page, 'kept');

    await page.reload();
    await kept.waitFor();
    await page.getByRole('link', { name: `Bericht von ${NAME} zurückholen` }).click();
    await page.waitForFunction((w) => document.querySelector('#feld-entwicklung_allgemein')?.value === w, WORDS, { timeout: 30_000 });
    await page.locator('#uebermittelt').waitFor();
    assert.match(await page.locator('#uebermittelt').textContent(), /Übermittelt am 30\.11\.2026/);
    await synced(page);
    await toList(page);
    await page.locator('li.case', { hasText: NAME }).waitFor();
    assert.equal(await page.locator('.kept-case').count(), 0, 'no longer listed as only at the server');
  });

  test('deleted for everyone while only at the relay: fetching back says so, and the entry can go', async () => {
    const page = provider.page;
    await toList(page);
    await takeOff(page);
    await page.locator('.kept-case', { hasText: NAME }).waitFor();

    // The caseworker deletes the report for everyone.
    const cw = caseworker.page;
    await cw.waitForFunction(() => document.querySelector('#uebermittelt') !== null, null, { timeout: 30_000 });
    await cw.locator('#fuer-alle-loeschen').click();
    const dialog = cw.locator('dialog.confirm-dialog[open]');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Für alle löschen' }).click();
    await cw.locator('.report-deleted').waitFor({ timeout: 30_000 });

    await page.getByRole('link', { name: `Bericht von ${NAME} zurückholen` }).click();
    const alert = page.locator('.join-page [role="alert"]');
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), /für alle gelöscht/);
    assert.equal(await page.locator('#feld-entwicklung_allgemein').count(), 0);
    assert.deepEqual(await axe(page), [], 'axe on the message');
    await shot(page, 'deleted');

    await toList(page);
    await page.getByRole('button', { name: `Bericht von ${NAME} aus der Liste nehmen` }).click();
    const ask = page.locator('dialog.confirm-dialog[open]');
    await ask.waitFor();
    assert.match(await ask.textContent(), /nicht mehr zurückholen/);
    await ask.getByRole('button', { name: 'Aus der Liste nehmen' }).click();
    await page.locator('#beim-server-meldung', { hasText: 'aus der Liste genommen' }).waitFor();
    assert.equal(await page.locator('.kept-case').count(), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    assert.equal(await page.locator('.kept-case').count(), 0, 'gone after a reload too');
    assert.ok(!(await storedEverything(page)).includes('Kiefernzapfen'), 'nothing of it stored');
  });
});
