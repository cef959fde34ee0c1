// "Für alle löschen" with three devices and the real relay: the provider deletes the report
// while the caseworker's device is offline (and writes meanwhile). The devices online drop it
// at once and say who deleted it and when; the caseworker's drops it as soon as it is back,
// sending nothing of what it wrote; afterwards no word of the report is on any device. The
// person supported cannot delete for everyone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { recordCounts, storedEverything } from './lib/stored.mjs';

const NAME = 'Mia Zebrafink';
/// A directory to put screenshots of the three screens in (to look at them), if set.
const SHOTS = process.env.DELETE_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` }); };
const WORDS = 'Schwimmkurs mit dem Kolibri-Verein';



async function toList(page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Berichte', exact: true }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

describe('deleting a report for everyone', () => {
  let relay; let browser; let provider; let caseworker; let person;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').fill(NAME);
    await provider.page.locator('#feld-entwicklung_allgemein').fill(WORDS);
    const links = {};
    for (const [role, name] of [['caseworker', 'Herr Amt'], ['beneficiary', 'Frau K.']]) {
      links[role] = await invite(provider.page, role, name);
    }
    await synced(provider.page);
    caseworker = await join(browser, links.caseworker);
    person = await join(browser, links.beneficiary);
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    const errors = [provider, caseworker, person].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('the report goes from every device, one offline at the time, and each says who and when', async () => {
    for (const d of [caseworker, person]) {
      await d.page.waitForFunction((w) => document.querySelector('#feld-entwicklung_allgemein')?.value === w, WORDS);
      // What the searches below look for is there now (so they can fail).
      assert.ok((await storedEverything(d.page)).includes('Zebrafink'), 'the name is stored');
      const counts = await recordCounts(d.page);
      assert.ok(counts.docs > 0 && counts.summaries > 0, JSON.stringify(counts));
    }
    // The person supported is not offered the deletion.
    assert.equal(await person.page.locator('#fuer-alle-loeschen').count(), 0);

    // The caseworker goes offline and writes on.
    await caseworker.context.setOffline(true);
    await caseworker.page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: 15_000 });
    await caseworker.page.locator('#feld-gesamtplan_vom').fill('2026-07-08');

    // The provider deletes, after being asked once more.
    const button = provider.page.locator('#fuer-alle-loeschen');
    await button.scrollIntoViewIfNeeded();
    assert.deepEqual(await axe(provider.page), [], 'axe on the report with the deletion section');
    await shot(provider.page, 'section');
    await button.click();
    const dialog = provider.page.locator('dialog.confirm-dialog[open]');
    await dialog.waitFor();
    await shot(provider.page, 'dialog');
    assert.match(await dialog.textContent(), /Mia Zebrafink.*nicht rückgängig/s);
    await dialog.getByRole('button', { name: 'Für alle löschen' }).click();

    for (const d of [provider, person]) {
      const notice = d.page.locator('.report-deleted');
      await notice.waitFor({ timeout: 30_000 });
      assert.match(await notice.textContent(), /Einrichtung\/Dienst hat den Bericht am \d\d\.\d\d\.\d{4}, \d\d:\d\d für alle gelöscht/);
      assert.equal(await d.page.locator('#feld-entwicklung_allgemein').count(), 0, 'the report is no longer shown');
    }

    // The caseworker comes back and learns it.
    await caseworker.context.setOffline(false);
    await caseworker.page.locator('.report-deleted').waitFor({ timeout: 45_000 });
    await shot(caseworker.page, 'deleted');

    for (const [name, d] of [['provider', provider], ['caseworker', caseworker], ['person', person]]) {
      await toList(d.page);
      const notice = d.page.locator('.deleted-notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), /Der Bericht von Mia Zebrafink wurde am .* von Einrichtung\/Dienst für alle gelöscht/);
      assert.equal(await d.page.locator('li.case').count(), 0, `${name}: no report listed`);
      const counts = await recordCounts(d.page);
      assert.equal(counts.docs, 0, `${name}: the report's chunks are gone`);
      assert.equal(counts.summaries, 0, `${name}: its summary is gone`);
      const stored = await storedEverything(d.page);
      for (const word of ['Kolibri', 'Schwimmkurs']) {
        assert.ok(!stored.includes(word), `${name}: "${word}" still stored`);
      }
    }
    assert.deepEqual(await axe(caseworker.page), [], 'axe on the case list with the notice');
    await shot(caseworker.page, 'list');

    // Read and dismissed: gone, and stays gone after a reload. The name goes with it.
    await provider.page.getByRole('button', { name: 'Ausblenden: Mia Zebrafink' }).click();
    await provider.page.locator('.deleted-notice').waitFor({ state: 'detached' });
    await provider.page.reload();
    await provider.page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    assert.equal(await provider.page.locator('.deleted-notice').count(), 0);
    assert.ok(!(await storedEverything(provider.page)).includes('Zebrafink'), 'the name is gone once dismissed');

    // Nothing readable at the relay either.
    for (const { file, bytes } of relay.storedBytes()) {
      for (const word of ['Kolibri', 'Zebrafink', '2026-07-08']) {
        assert.ok(!bytes.includes(Buffer.from(word)), `"${word}" in ${file}`);
      }
    }
  });
});

describe('a device away during the deletion, with the report closed', () => {
  let relay; let browser; let provider; let caseworker;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').fill('Ole Zaunkönig');
    await provider.page.locator('#feld-entwicklung_allgemein').fill('Gartenarbeit im Quittenhof');
    const link = await invite(provider.page, 'caseworker', 'Herr Amt');
    await synced(provider.page);
    caseworker = await join(browser, link);
    await caseworker.page.waitForFunction(() => document.querySelector('#feld-entwicklung_allgemein')?.value === 'Gartenarbeit im Quittenhof');
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    const errors = [provider, caseworker].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('drops its copy as soon as it is back online, without the report being opened', async () => {
    // The caseworker closes the report and is offline while the provider deletes it.
    await toList(caseworker.page);
    await caseworker.page.locator('li.case').first().waitFor();
    await caseworker.context.setOffline(true);
    const button = provider.page.locator('#fuer-alle-loeschen');
    await button.scrollIntoViewIfNeeded();
    await button.click();
    await provider.page.locator('dialog.confirm-dialog[open]').getByRole('button', { name: 'Für alle löschen' }).click();
    await provider.page.locator('.report-deleted').waitFor({ timeout: 30_000 });
    assert.equal(await caseworker.page.locator('li.case').count(), 1, 'offline, the copy is still there');

    // Back online, on the case list: the report goes and the list says who deleted it.
    await caseworker.context.setOffline(false);
    const notice = caseworker.page.locator('.deleted-notice');
    await notice.waitFor({ timeout: 45_000 });
    assert.match(await notice.textContent(), /Der Bericht von Ole Zaunkönig wurde am .* von Einrichtung\/Dienst für alle gelöscht/);
    await caseworker.page.locator('li.case').waitFor({ state: 'detached' });
    const counts = await recordCounts(caseworker.page);
    assert.equal(counts.docs, 0, "the report's chunks are gone");
    assert.equal(counts.summaries, 0, 'its summary is gone');
    const stored = await storedEverything(caseworker.page);
    assert.ok(!stored.includes('Quittenhof'), 'no word of the report stored');
    assert.equal(
      await caseworker.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('dreieck.sync.')).length),
      0,
      'room and key forgotten',
    );
  });
});
