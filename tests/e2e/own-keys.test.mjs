// Two staff members and the person supported on one tablet, each signing with a key of their
// own: Ben cannot sign with Anna's PIN (nothing is written), with his own he signs, and the
// caseworker's device verifies his signature and names at whose tablet his key was vouched
// for. The person supported, who has no key here, signs with a key made for that signature.
// Wrong PINs are slowed down and at the limit delete that person's key (and only theirs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { signatureLine } from './lib/app.mjs';
import { TestRelay } from './lib/relay.mjs';

const ANNA = { name: 'Anna Berger', pin: '246813' };
const BEN = { name: 'Ben Leitung', pin: '135790' };
const SHOTS = process.env.OWN_KEYS_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false }); };

async function setUp(page, { name, pin }) {
  await page.locator('#person-name').fill(name);
  await page.locator('#person-rolle').selectOption('provider');
  await page.locator('#person-pin').fill(pin);
  await page.locator('#person-pin-2').fill(pin);
  await page.getByRole('button', { name: 'Person einrichten' }).click();
  await page.locator('.people-settings [role="status"]').filter({ hasText: `${name} ist eingerichtet` }).waitFor();
}

/// Chooses `person` in the line's "Wer unterschreibt?", types `pin` and signs.
async function signAs(line, person, pin) {
  await line.getByRole('radio', { name: person.name }).check();
  assert.equal(await line.getByLabel('Name', { exact: true }).inputValue(), person.name);
  await line.getByLabel(`PIN von ${person.name}`).fill(pin);
  await line.getByRole('button', { name: 'Unterschreiben' }).click();
}

describe('each person signs with their own key on a shared tablet', () => {
  let relay; let browser; let tablet; let caseworker;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    tablet = await device(browser);
    await tablet.page.goto(relay.url + '/#/sperre');
    await tablet.page.getByRole('heading', { name: 'Personen an diesem Gerät' }).waitFor();
    await setUp(tablet.page, ANNA);
    await setUp(tablet.page, BEN);
    assert.deepEqual(
      await tablet.page.locator('.people-list li span').allTextContents(),
      ['Anna Berger – Einrichtung/Dienst', 'Ben Leitung – Einrichtung/Dienst'],
    );
    assert.deepEqual(await axe(tablet.page), [], 'axe on the Sperre page with two people');
    await shot(tablet.page, 'people');
    // Only the wrapped keys are stored: no seed in the clear under any name.
    const stored = await tablet.page.evaluate(() => localStorage.getItem('dreieck.personen'));
    const people = JSON.parse(JSON.parse(stored));
    assert.equal(people.length, 2);
    assert.ok(!stored.includes(ANNA.pin) && !stored.includes(BEN.pin), 'no PIN stored');
    for (const p of people) {
      assert.deepEqual(Object.keys(p).sort(), ['failures', 'last_failure_ms', 'name', 'public', 'role', 'wrapped']);
    }

    await tablet.page.goto(relay.url + '/');
    await tablet.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await tablet.page.locator('#feld-lb_name').fill('Hannelore Kleinschmidt');
    const link = await invite(tablet.page, 'caseworker', 'Herr Amt');
    await synced(tablet.page);
    caseworker = await join(browser, link);
  });

  after(async () => {
    const errors = [tablet, caseworker].map((d) => d?.errors ?? []);
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test("Ben cannot sign with Anna's PIN; with his own his signature is his on every device", async () => {
    const line = signatureLine(tablet.page, 'unterschrift_leitung');
    await line.scrollIntoViewIfNeeded();
    const choice = line.getByRole('group', { name: 'Wer unterschreibt?' });
    assert.deepEqual(
      await choice.getByRole('radio').evaluateAll((rs) => rs.map((r) => r.labels[0].textContent.trim())),
      ['Anna Berger', 'Ben Leitung', 'Jemand anderes (mit einem Schlüssel nur für diese Unterschrift)'],
    );

    await signAs(line, BEN, ANNA.pin);
    const error = line.locator('.signer-choice .field-error');
    await error.filter({ hasText: 'Die PIN ist falsch. Noch 9 Versuche, dann wird der Schlüssel von Ben Leitung' }).waitFor();
    if (SHOTS) await line.screenshot({ path: `${SHOTS}/wrong-pin.png` });
    assert.equal(await line.locator('.signature-state').textContent(), 'noch nicht unterschrieben');
    assert.equal(await line.getByLabel('PIN von Ben Leitung').inputValue(), '', 'the PIN field is emptied');
    assert.deepEqual(await axe(tablet.page), [], 'axe on the line with the choice and the error');

    await line.getByLabel('PIN von Ben Leitung').fill(BEN.pin);
    await line.getByRole('button', { name: 'Unterschreiben' }).click();
    await line.locator('.signature-state').filter({ hasText: /^gültig$/ }).waitFor();
    assert.match(await line.locator('.signed-by').textContent(), /^unterschrieben von Ben Leitung \(Einrichtung\/Dienst\)/);

    const staff = signatureLine(tablet.page, 'unterschrift_leistungserbringer');
    await signAs(staff, ANNA, ANNA.pin);
    await staff.locator('.signature-state').filter({ hasText: /^gültig$/ }).waitFor();
    await synced(tablet.page);

    // On the caseworker's device: both valid, and the members list names the tablet.
    for (const [id, who] of [['unterschrift_leitung', BEN], ['unterschrift_leistungserbringer', ANNA]]) {
      const there = signatureLine(caseworker.page, id);
      await there.locator('.signed-by').filter({ hasText: who.name }).waitFor({ timeout: 30_000 });
      assert.equal(await there.locator('.signature-state').textContent(), 'gültig');
    }
    await caseworker.page.locator('#teilen').click();
    const members = caseworker.page.locator('dialog.share-dialog .member-list .member');
    await members.filter({ hasText: 'Ben Leitung (am Gerät von' }).waitFor();
    await members.filter({ hasText: 'Anna Berger (am Gerät von' }).waitFor();
    await caseworker.page.locator('dialog.share-dialog').getByRole('button', { name: 'Fertig' }).click();
  });

  test('the person supported signs at the tablet with a key made for that one signature', async () => {
    await tablet.page.getByLabel('Meine Rolle').selectOption('beneficiary');
    const line = signatureLine(tablet.page, 'unterschrift_leistungsberechtigter');
    await line.scrollIntoViewIfNeeded();
    // Nobody of that role has a key here: no choice, the signature gets a key of its own.
    assert.equal(await line.getByRole('group', { name: 'Wer unterschreibt?' }).count(), 0);
    await line.getByLabel('Name', { exact: true }).fill('Hannelore Kleinschmidt');
    await line.getByRole('button', { name: 'Unterschreiben' }).click();
    await line.locator('.signature-state').filter({ hasText: /^gültig$/ }).waitFor();
    const there = signatureLine(caseworker.page, 'unterschrift_leistungsberechtigter');
    await there.locator('.signed-by').filter({ hasText: 'Hannelore Kleinschmidt' }).waitFor({ timeout: 30_000 });
    assert.equal(await there.locator('.signature-state').textContent(), 'gültig');
    await tablet.page.getByLabel('Meine Rolle').selectOption('provider');
  });

  test("wrong PINs are slowed down and at the limit delete that person's key only", async () => {
    const line = signatureLine(tablet.page, 'unterschrift_leistungserbringer');
    await line.getByRole('button', { name: 'Erneut unterschreiben' }).click();
    const error = line.locator('.signer-choice .field-error');
    for (let i = 1; i <= 3; i++) {
      await signAs(line, ANNA, '000000');
      await error.filter({ hasText: `Noch ${10 - i} Versuche` }).waitFor();
    }
    assert.match(await error.textContent(), /Der nächste Versuch geht ab \d\d:\d\d:\d\d Uhr|Noch 7 Versuche/);
    // A try during the wait is refused without looking at the PIN, even the right one.
    await signAs(line, ANNA, ANNA.pin);
    await error.filter({ hasText: 'Zu viele falsche Versuche. Der nächste Versuch geht ab' }).waitFor();

    // The last allowed wrong PIN (as after an hour of waits): Anna's key goes, Ben's stays.
    await tablet.page.evaluate(() => {
      const people = JSON.parse(JSON.parse(localStorage.getItem('dreieck.personen')));
      for (const p of people) if (p.name === 'Anna Berger') { p.failures = 9; p.last_failure_ms = 0; }
      localStorage.setItem('dreieck.personen', JSON.stringify(JSON.stringify(people)));
    });
    await signAs(line, ANNA, '000000');
    await error.filter({ hasText: 'Der Schlüssel von Anna Berger ist auf diesem Gerät gelöscht' }).waitFor();
    const stored = await tablet.page.evaluate(() => localStorage.getItem('dreieck.personen'));
    assert.deepEqual(JSON.parse(JSON.parse(stored)).map((p) => p.name), ['Ben Leitung']);
    // Her earlier signature is still the valid one on the line.
    assert.match(await line.locator('.signed-by').textContent(), /Anna Berger/);
    assert.equal(await line.locator('.signature-state').textContent(), 'gültig');
  });
});
