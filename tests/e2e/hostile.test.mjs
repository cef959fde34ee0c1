// A participant with devtools-level access to their own device: the person supported takes
// the room, the document key and their device's signing key out of the page's storage and
// writes with a program of their own (crates/relay/examples/hostile_device.rs) into a field
// only the provider may write, properly signed with their own key. Every honest device refuses
// it and says so; the field stays as it was; sync goes on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { device, invite, launch, wholeForm } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';

const run = promisify(execFile);
const synced = (page) => page.locator('.sync-status[data-state="synchron"]').waitFor({ timeout: 30_000 });

/// What the page keeps in localStorage for the report it shows: the room, the document key and
/// the device's signing seed for `role` (each setting a JSON string).
async function secrets(page, role) {
  return page.evaluate((role) => {
    const get = (k) => JSON.parse(localStorage.getItem(k));
    const sync = Object.keys(localStorage).find((k) => k.startsWith('dreieck.sync.'));
    const { room, key } = JSON.parse(get(sync));
    return { report: sync.slice('dreieck.sync.'.length), room, key, seed: get(`dreieck.signing_seed.${role}`) };
  }, role);
}

describe('a hostile participant with devtools', () => {
  let relay; let browser; let provider; let person;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').waitFor();
    const link = await invite(provider.page, 'beneficiary', 'Frau K.');
    await synced(provider.page);
    person = await device(browser);
    await person.page.goto(link);
    await person.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await synced(person.page);
    await wholeForm(person.page);
  });

  test('a link whose room holds another report says so instead of waiting', async () => {
    // Someone who knows the room and key (a member removed later) names them in a link under
    // another report's id (ids are 32 hex digits). Links made by "Teilen" name no room.
    const s = await secrets(provider.page, 'provider');
    const other = [...s.report].reverse().join('');
    assert.notEqual(other, s.report);
    const forged = `${relay.url}/#/einladung/caseworker/${other}/${s.room}/${s.key}`;
    const d = await device(browser);
    await d.page.goto(forged);
    await d.page.getByText('Der Bericht unter diesem Link kann nicht übernommen werden').waitFor({ timeout: 30_000 });
    assert.match(await d.page.locator('body').innerText(), /nicht echt/);
    await d.context.close();
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test("the person's own key cannot write the provider's field, and every device refuses it", async () => {
    await provider.page.locator('#feld-einrichtung_name_anschrift').fill('Wohnverbund Nord');
    await provider.page.locator('.sync-status[data-state="synchron"][data-waiting="0"]').waitFor({ timeout: 30_000 });
    const s = await secrets(person.page, 'beneficiary');
    assert.match(s.seed ?? '', /^[0-9a-f]{64}$/, 'the device keeps its signing seed');
    const bin = process.env.DREIECK_HOSTILE_BIN;
    assert.ok(bin, 'DREIECK_HOSTILE_BIN is set (cargo xtask test builds it)');
    const ws = relay.url.replace(/^http/, 'ws') + '/sync';
    const { stdout } = await run(bin, [ws, s.room, s.key, s.seed, s.report, 'einrichtung_name_anschrift'], { timeout: 60_000 });
    assert.match(stdout, /acknowledged/);

    for (const d of [provider, person]) {
      const box = d.page.locator('.refused-changes');
      await box.waitFor({ timeout: 30_000 });
      assert.match(await box.innerText(), /Eine Änderung von Frau K\. \(Leistungsberechtigte Person\) wurde abgelehnt/);
      assert.equal(await d.page.locator('#feld-einrichtung_name_anschrift').inputValue(), 'Wohnverbund Nord');
    }
    // The person reads it in Leichte Sprache: who, and why it is not in the report.
    await person.page.getByRole('button', { name: 'Leichte Sprache' }).click();
    const plainBox = person.page.locator('.refused-changes');
    await plainBox.getByText('Frau K. mit dem Zugang für Sie wollte etwas ändern.').waitFor();
    await plainBox.getByText('Das darf die Person nicht ändern.').waitFor();
    assert.doesNotMatch(await plainBox.innerText(), /Leistungsberechtigte Person|abgelehnt/);
    const shot = process.env.REFUSED_PLAIN_SCREENSHOT;
    if (shot) await plainBox.screenshot({ path: shot });
    await person.page.getByRole('button', { name: 'Leichte Sprache' }).click();
    // Sync goes on: an honest edit after the refused one still travels.
    await provider.page.locator('#feld-anmerkungen_einrichtung').fill('Weiter geht es.');
    const deadline = Date.now() + 30_000;
    while ((await person.page.locator('#feld-anmerkungen_einrichtung').inputValue()) !== 'Weiter geht es.') {
      assert.ok(Date.now() < deadline, 'the honest edit did not arrive');
      await person.page.waitForTimeout(50);
    }
    // A reload keeps the refusal out: the stored report never had it.
    await provider.page.reload();
    await provider.page.locator('#feld-einrichtung_name_anschrift').waitFor();
    assert.equal(await provider.page.locator('#feld-einrichtung_name_anschrift').inputValue(), 'Wohnverbund Nord');
    assert.deepEqual([...provider.errors, ...person.errors], []);
  });
});
