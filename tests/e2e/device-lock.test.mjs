// The device lock as a provider's shared tablet needs it: a PIN set on a device that already
// holds a shared report seals everything stored; locked, nothing of it can be read from the
// page's own scripts; unlocked, everything is back, across reloads; wrong PINs are slowed and
// finally wipe the keys; the idle timer and the other tabs lock too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, invite, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { newReport, waitSaved } from './lib/app.mjs';
import { storedEverything } from './lib/stored.mjs';

const PIN = '482915';


/// The secrets kept in localStorage while there is no PIN: signing and invitation seeds, and
/// the document keys of shared reports.
async function rawKeys(page) {
  return page.evaluate(() => {
    const keys = [];
    for (const k of Object.keys(localStorage)) {
      const v = JSON.parse(localStorage.getItem(k));
      if (/seed\./.test(k)) keys.push(v);
      if (k.startsWith('dreieck.sync.')) keys.push(JSON.parse(v).key);
    }
    return keys;
  });
}

async function setPin(page, pin) {
  await page.getByRole('navigation').getByRole('link', { name: 'Berichte', exact: true }).click();
  await page.getByRole('link', { name: 'Gerät mit einer PIN schützen' }).click();
  await page.getByLabel('Neue PIN').fill(pin);
  await page.getByLabel('PIN wiederholen', { exact: true }).fill(pin);
  const shot = process.env.LOCK_PAGE_SCREENSHOT;
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  await page.getByRole('button', { name: 'PIN festlegen' }).click();
  await page.getByRole('heading', { name: 'Jetzt sperren' }).waitFor({ timeout: 30_000 });
}

async function unlock(page, pin) {
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Entsperren' }).click();
}

const lockScreen = (page) => page.getByRole('heading', { name: 'Dreieck ist gesperrt' });

describe('a device with a PIN', () => {
  let relay; let browser;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test('a PIN seals what was stored; locked, nothing is readable; unlocked, everything is back', async () => {
    const { context, page, errors } = await device(browser);
    await page.goto(relay.url + '/');
    await newReport(page);
    await page.locator('#feld-lb_name').fill('Zauberwort, Kaya');
    await page.locator('#feld-lb_anschrift').fill('Geheimweg 7');
    await waitSaved(page);
    // Shared: the device now keeps a document key, a signing seed and an invitation seed.
    await invite(page, 'caseworker', 'Frau Amt');
    await synced(page);
    const reportUrl = page.url();

    // Without a PIN the words and the keys are there to read: the check below can fail.
    const keys = await rawKeys(page);
    assert.ok(keys.length >= 3, `keys found: ${keys.length}`);
    const plain = await storedEverything(page);
    assert.match(plain, /Zauberwort/);
    for (const k of keys) assert.ok(plain.includes(k), 'a raw key is readable before the PIN');

    await setPin(page, PIN);
    assert.deepEqual(await axe(page), []);
    // Sealed while still open: nothing of it readable any more.
    let stored = await storedEverything(page);
    assert.doesNotMatch(stored, /Zauberwort|Geheimweg/);
    for (const k of keys) assert.ok(!stored.includes(k), 'no raw key after the PIN');

    // Typed after the PIN: stored sealed too.
    await page.goto(reportUrl);
    await page.locator('#feld-lb_anschrift').fill('Geheimweg 8');
    await waitSaved(page);

    await page.locator('#sperren').click();
    await lockScreen(page).waitFor();
    assert.equal(await page.locator('#feld-lb_name').count(), 0, 'nothing of the report behind the lock');
    stored = await storedEverything(page);
    assert.doesNotMatch(stored, /Zauberwort|Geheimweg|Kaya/);
    for (const k of keys) assert.ok(!stored.includes(k), 'no raw key while locked');
    assert.deepEqual(await axe(page), []);

    // A wrong PIN is refused with what is left; the right one opens the report where it was.
    await unlock(page, '000000');
    await page.locator('main .message.error', { hasText: 'Die PIN ist falsch. Noch 9 Versuche' }).waitFor();
    assert.equal(await page.locator('#feld-lb_name').count(), 0);
    await unlock(page, PIN);
    await page.locator('#feld-lb_name').waitFor();
    assert.equal(await page.locator('#feld-lb_name').inputValue(), 'Zauberwort, Kaya');
    assert.equal(await page.locator('#feld-lb_anschrift').inputValue(), 'Geheimweg 8');
    // Still shared: the sealed document key still opens the room.
    await synced(page);

    // A reload locks again and loses nothing.
    await page.locator('#feld-lb_anschrift').fill('Geheimweg 9');
    await waitSaved(page);
    await page.reload();
    await lockScreen(page).waitFor();
    await unlock(page, PIN);
    await page.locator('#feld-lb_name').waitFor();
    assert.equal(await page.locator('#feld-lb_anschrift').inputValue(), 'Geheimweg 9');
    assert.deepEqual(errors.filter((e) => !/WebSocket/.test(e)), []);
    await context.close();
  });

  test('wrong PINs wait longer and longer, and the tenth wipes the keys and the reports', async () => {
    const { context, page } = await device(browser);
    await page.clock.install();
    await page.goto(relay.url + '/');
    await newReport(page);
    await page.locator('#feld-lb_name').fill('Zauberwort, Kaya');
    await waitSaved(page);
    await setPin(page, PIN);
    await page.reload();
    await lockScreen(page).waitFor();
    const alert = page.locator('main .message.error');
    for (let failure = 1; failure <= 9; failure++) {
      await unlock(page, '111111');
      await alert.filter({ hasText: `Noch ${10 - failure} Versuche` }).waitFor();
      if (failure === 1) {
        // What remains recoverable is said before the limit.
        assert.match(await page.locator('#pin-hinweis').textContent(), /neu einlädt.*verschlüsselte Datei/);
      }
      if (failure >= 3) {
        assert.match(await alert.textContent(), /Der nächste Versuch geht ab \d\d:\d\d:\d\d Uhr/);
        // Trying again at once is refused without counting.
        await unlock(page, PIN);
        await alert.filter({ hasText: 'Zu viele falsche Versuche' }).waitFor();
        await page.clock.fastForward((30 << (failure - 3)) * 1000 + 1000);
      }
    }
    await unlock(page, '111111');
    await alert.filter({ hasText: 'alle Daten auf diesem Gerät gelöscht' }).waitFor();
    const stored = await storedEverything(page);
    assert.doesNotMatch(stored, /Zauberwort|dreieck\.sperre|versiegelt/);
    // The device starts afresh, without a PIN and without the reports.
    await page.getByRole('button', { name: 'Neu beginnen' }).click();
    await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    assert.equal(await page.getByText('Zauberwort').count(), 0);
    await context.close();
  });

  test('the idle time locks, the PIN changes only with the current one, and locking one tab locks the others', async () => {
    const { context, page } = await device(browser);
    await page.clock.install();
    await page.goto(relay.url + '/');
    await newReport(page);
    await page.locator('#feld-lb_name').fill('Ruhig, Rita');
    await waitSaved(page);
    await setPin(page, PIN);
    await page.getByLabel('Sperren nach so vielen Minuten ohne Benutzung').selectOption('1');
    // Nobody touches the tablet for a minute: it locks.
    await page.clock.fastForward(70_000);
    await lockScreen(page).waitFor();
    await unlock(page, PIN);
    await page.getByRole('heading', { name: 'Gerät schützen' }).waitFor();
    assert.deepEqual(await axe(page), []);

    // Changing the PIN needs the current one, even on an open device.
    const NEW_PIN = 'Lange Passphrase 7';
    await page.getByLabel('Bisherige PIN').fill('999999');
    await page.getByLabel('Neue PIN', { exact: true }).fill(NEW_PIN);
    await page.getByLabel('Neue PIN wiederholen').fill(NEW_PIN);
    await page.getByRole('button', { name: 'PIN ändern' }).click();
    await page.locator('#pin-fehler', { hasText: 'Die PIN ist falsch.' }).waitFor();
    await page.getByLabel('Bisherige PIN').fill(PIN);
    await page.getByLabel('Neue PIN', { exact: true }).fill(NEW_PIN);
    await page.getByLabel('Neue PIN wiederholen').fill(NEW_PIN);
    await page.getByRole('button', { name: 'PIN ändern' }).click();
    await page.getByRole('status').filter({ hasText: 'Die PIN ist geändert.' }).waitFor();

    const second = await context.newPage();
    await second.goto(relay.url + '/');
    await lockScreen(second).waitFor();
    await unlock(second, PIN);
    await second.locator('main .message.error', { hasText: 'Die PIN ist falsch.' }).waitFor();
    await unlock(second, NEW_PIN);
    await second.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    await page.locator('#sperren').click();
    await lockScreen(page).waitFor();
    await lockScreen(second).waitFor();
    await context.close();
  });

  test('the lock screen in Leichte Sprache on a tablet', async () => {
    const { context, page } = await device(browser);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(relay.url + '/');
    await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    await setPin(page, PIN);
    await page.reload();
    await lockScreen(page).waitFor();
    // The PIN field has focus from the start.
    await page.waitForFunction(() => document.activeElement?.id === 'pin');
    await page.getByRole('button', { name: 'Leichte Sprache' }).click();
    await page.getByRole('heading', { name: 'Dreieck ist zu' }).waitFor();
    assert.match(await page.locator('main').textContent(), /Die PIN ist eine geheime Zahl\./);
    // Keyboard only: from the switch, Tab reaches the PIN field, Enter opens.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pin');
    await page.keyboard.type('000000');
    await page.keyboard.press('Enter');
    await page.locator('main .message.error', { hasText: 'Sie haben noch 9 Versuche.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pin');
    assert.deepEqual(await axe(page), []);
    const shot = process.env.LOCK_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.locator('.lock-page').waitFor({ state: 'detached' });
    await page.locator('.case-list, #neuer-bericht, main h1').first().waitFor();
    // The settings in Leichte Sprache too (the switch is remembered from the lock screen).
    await page.goto(relay.url + '/#/sperre');
    await page.getByRole('heading', { name: 'Von selbst zumachen' }).waitFor();
    await page.getByLabel('Niemand benutzt das Gerät. Nach wie vielen Minuten geht es zu?').waitFor();
    await page.getByLabel('Alte PIN').fill(PIN);
    await page.getByLabel('Neue PIN', { exact: true }).fill('135792');
    await page.getByLabel('Neue PIN noch einmal').fill('135790');
    await page.getByRole('button', { name: 'PIN ändern' }).click();
    await page.locator('#pin-fehler', { hasText: 'Die 2 neuen PINs sind verschieden.' }).waitFor();
    assert.deepEqual(await axe(page), []);
    await context.close();
  });
});

describe('the first start', () => {
  let relay; let browser;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await relay?.stop();
  });

  test('an invitation opened on a new phone asks for a PIN first, then joins; after a reload it is locked', async () => {
    const provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await newReport(provider.page);
    await provider.page.locator('#feld-lb_name').fill('Jonas Wiesenweg');
    const link = await invite(provider.page, 'beneficiary', 'Jonas');
    await synced(provider.page);

    const phone = await device(browser, { firstUse: true });
    await phone.page.goto(link);
    await phone.page.getByRole('heading', { name: 'Dieses Gerät schützen', level: 1 }).waitFor();
    assert.equal(await phone.page.locator('#feld-lb_name').count(), 0, 'nothing of the report before the PIN');
    assert.deepEqual(await axe(phone.page), [], 'axe on the first start');
    await phone.page.getByLabel('Neue PIN').fill(PIN);
    await phone.page.getByLabel('PIN wiederholen', { exact: true }).fill(PIN);
    await phone.page.getByRole('button', { name: 'PIN festlegen' }).click();
    // The invitation goes on by itself once the PIN is set.
    await phone.page.waitForFunction(() => document.querySelector('#feld-lb_name')?.value === 'Jonas Wiesenweg', null, { timeout: 30_000 });
    await synced(phone.page);
    await waitSaved(phone.page);
    assert.ok(!(await storedEverything(phone.page)).includes('Wiesenweg'), 'stored sealed from the start');

    // The person's invitation opened their own view in Leichte Sprache; the lock screen
    // speaks the same way.
    assert.match(phone.page.url(), /\/meins$/);
    await phone.page.reload();
    await phone.page.getByRole('heading', { name: 'Dreieck ist zu' }).waitFor();
    await phone.page.getByLabel('PIN', { exact: true }).fill(PIN);
    await phone.page.getByRole('button', { name: 'Öffnen' }).click();
    await phone.page.waitForFunction(() => document.querySelector('#feld-lb_name')?.value === 'Jonas Wiesenweg', null, { timeout: 30_000 });
    await phone.page.locator('.person-view').waitFor();
    await provider.context.close();
    await phone.context.close();
  });

  test('only a PIN gets past the first start: no other page, no reload and no short PIN leads on', async () => {
    const { context, page } = await device(browser, { firstUse: true });
    await page.goto(relay.url + '/');
    const asked = page.getByRole('heading', { name: 'Dieses Gerät schützen', level: 1 });
    await asked.waitFor();
    // Everything the page offers: the PIN fields and one button, nothing to go on without.
    const buttons = await page.locator('main').getByRole('button').allTextContents();
    assert.deepEqual(buttons.map((b) => b.trim()), ['PIN festlegen'], 'no way on but the PIN');
    for (const name of ['Vorlagen', 'Berichte']) {
      await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name }).click();
      await asked.waitFor();
    }
    for (const route of ['#/neu', '#/sperre', '#/vorlagen']) {
      await page.goto(relay.url + '/' + route);
      await asked.waitFor();
    }
    await page.reload();
    await asked.waitFor();
    await page.getByLabel('Neue PIN').fill('12');
    await page.getByLabel('PIN wiederholen', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'PIN festlegen' }).click();
    await page.locator('.first-use [role="alert"]').filter({ hasText: /mindestens/ }).waitFor();
    await asked.waitFor();
    await page.getByLabel('Neue PIN').fill(PIN);
    await page.getByLabel('PIN wiederholen', { exact: true }).fill(PIN);
    await page.getByRole('button', { name: 'PIN festlegen' }).click();
    // The page asked for last comes once the PIN is set.
    await asked.waitFor({ state: 'detached' });
    assert.match(await page.getByRole('heading', { level: 1 }).textContent(), /Vorlagen/);
    await context.close();
  });
});
