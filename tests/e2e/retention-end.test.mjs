// The end of the retention period with nobody at a device: a form that keeps its reports for
// five years, a report submitted in 2010. Submitting it tells the relay when its retention
// ends, with the deletion signed in advance by the provider's device; once both devices have
// left the report, the relay's sweep purges the room by itself (no word of it left in the
// relay's files), and each device, started again, learns of it, checks it on its own clock
// and copy, drops its copy and says why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { chooseRole, waitSaved } from './lib/app.mjs';
import { TestRelay } from './lib/relay.mjs';
import { recordCounts, storedEverything } from './lib/stored.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAME = 'Rosa Regenpfeifer';
const WORDS = 'Töpferkurs im Gemeindehaus';
const FORM = 'Ergebnisbericht (fünf Jahre aufbewahrt)';

/// The KVJS form as an organisation keeps it: five years after submission.
function keptFiveYears(dir) {
  const t = JSON.parse(readFileSync(path.resolve(here, '../../crates/model/templates/kvjs-ergebnisbericht.json'), 'utf8'));
  t.id = 'kvjs-fuenf-jahre';
  t.version = '1';
  t.name = FORM;
  t.retention_years = 5;
  const f = path.join(dir, 'fuenf-jahre.json');
  writeFileSync(f, JSON.stringify(t));
  return f;
}

async function toList(page) {
  await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Berichte', exact: true }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

/// The relay's counter of rooms purged at the end of their retention.
async function purgedAtRetentionEnd(relay) {
  const text = await (await fetch(relay.url + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('dreieck_relay_rooms_retention_ended_total'));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('the end of the retention period', () => {
  let relay; let browser; let dir; let provider; let caseworker;

  before(async () => {
    // The sweep every second, and rooms leave memory as soon as nobody is connected.
    relay = await TestRelay.start({ env: { DREIECK_EMPTY_ROOM_EXPIRY_SECS: '4', DREIECK_ROOM_LINGER_SECS: '0' } });
    browser = await launch();
    dir = mkdtempSync(path.join(tmpdir(), 'dreieck-retention-'));
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    const errors = [provider, caseworker].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('the relay purges the room by itself once the period is over, and every device drops its copy and says why', async () => {
    provider = await device(browser);
    const page = provider.page;
    await page.goto(relay.url + '/');
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Vorlagen' }).click();
    await page.locator('#vorlage-datei').setInputFiles(keptFiveYears(dir));
    await page.locator('.template-import-outcome .message', { hasText: 'ist jetzt auf diesem Gerät' }).waitFor();
    await toList(page);
    await chooseRole(page, 'Einrichtung/Dienst');
    await page.getByRole('radio', { name: `${FORM} (Version 1, eigene Vorlage)`, exact: true }).check();
    await page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await page.locator('#feld-lb_name').fill(NAME);
    await page.locator('#feld-entwicklung_allgemein').fill(WORDS);
    const link = await invite(page, 'caseworker', 'Herr Amt');
    await synced(page);
    caseworker = await join(browser, link);
    await caseworker.page.waitForFunction((w) => document.querySelector('#feld-entwicklung_allgemein')?.value === w, WORDS, { timeout: 30_000 });

    // Submitted in 2010: kept until 10 January 2015, long over.
    await page.locator('#uebermittelt-am').fill('2010-01-10');
    await page.locator('#als-uebermittelt').click();
    await page.locator('#uebermittelt').waitFor();
    await waitSaved(page);
    await synced(page);
    await caseworker.page.locator('#uebermittelt').waitFor({ timeout: 30_000 });
    await toList(page);
    assert.match(await page.locator('li.case', { hasText: NAME }).innerText(), /Aufbewahrung endete am 10\.01\.2015/);

    // Nobody at the report: the relay's sweep purges the room (bounded wait for its counter).
    await toList(caseworker.page);
    const deadline = Date.now() + 30_000;
    while ((await purgedAtRetentionEnd(relay)) < 1) {
      assert.ok(Date.now() < deadline, 'the sweep purged the room within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    // Each device, started again, learns it and drops its copy.
    for (const [who, d] of [['provider', provider], ['caseworker', caseworker]]) {
      await d.page.reload();
      const notice = d.page.locator('.deleted-notice');
      await notice.waitFor({ timeout: 30_000 });
      assert.match(await notice.textContent(), /Der Bericht von Rosa Regenpfeifer wurde am 11\.01\.2015, \d\d:\d\d nach dem Ende der Aufbewahrung für alle gelöscht/);
      await d.page.locator('li.case', { hasText: NAME }).waitFor({ state: 'detached' });
      const counts = await recordCounts(d.page);
      assert.equal(counts.docs, 0, `${who}: the report's chunks are gone`);
      assert.ok(!(await storedEverything(d.page)).includes('Töpferkurs'), `${who}: a word of it is still stored`);
    }
    assert.deepEqual(await axe(caseworker.page), [], 'axe on the list with the notice');
    // Nothing of the report at the relay: its content was sealed, and now it is gone too.
    for (const { file, bytes } of relay.storedBytes()) {
      for (const word of ['Töpferkurs', 'Regenpfeifer']) {
        assert.ok(!bytes.includes(Buffer.from(word)), `"${word}" in ${file}`);
      }
    }
  });
});
