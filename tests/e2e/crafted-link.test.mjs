// A crafted invitation link for a report a device already has: the device asks before it
// moves the report to another room and key, keeps syncing when the person declines, and
// takes the new access only on an explicit choice. Links of protected reports name no room
// (the inviting device admits); a crafted one names a room and key (the form of a report
// from before membership), made up, or known to someone removed. After any invitation link
// the secret leaves the address bar and the history.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, device, launch, invite } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { chooseRole } from './lib/app.mjs';

const FREIZEIT = 'Geht gern in den Lindenhof-Garten.';

const synced = (page) => page.locator('.sync-status[data-state="synchron"]').waitFor({ timeout: 30_000 });

/// The parts of an invitation link: `.../#/einladung/<role>/<report>/<secret><inviter>` (a
/// protected report) or `.../#/einladung/<role>/<report>/<room>/<key>`.
function parts(link) {
  const [base, hash] = link.split('#');
  const [, , role, report, room, key] = hash.split('/');
  return { base, role, report, room, key };
}

/// A link naming the report's own room with the last character of its key changed: what
/// someone who knew the room once (a removed member) might send.
function oneKeyCharChanged(base, report, genuine) {
  const { room, key } = genuine;
  const changed = key.slice(0, -1) + (key.at(-1) === '0' ? '1' : '0');
  return `${base}#/einladung/caseworker/${report}/${room}/${changed}`;
}

const randomHex = (bytes) => Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('');

/// What the device stores for the shared report (room and key in hex), or null.
async function stored(page, reportId) {
  const json = await page.evaluate((id) => localStorage.getItem(`dreieck.sync.${id}`), reportId);
  if (json === null) return null;
  // Settings are stored JSON-encoded (gloo-storage), and this one is JSON itself.
  let value = JSON.parse(json);
  if (typeof value === 'string') value = JSON.parse(value);
  const { room, key } = value;
  return { room, key };
}

/// Waits until field `id` on `page` satisfies `check`; returns the value.
async function shows(page, id, check) {
  const deadline = Date.now() + 30_000;
  let value;
  while (Date.now() < deadline) {
    value = await page.locator(`#feld-${id}`).inputValue();
    if (check(value)) return value;
    await page.waitForTimeout(50);
  }
  assert.fail(`#feld-${id} shows ${JSON.stringify(value)}`);
}

const warning = (page) => page.locator('section.link-conflict');
const keepButton = (page) => page.getByRole('button', { name: 'Bericht öffnen, Link nicht verwenden' });

describe('an invitation link for a report the device already has', () => {
  let relay; let browser; let a; let b; let link; let reportId; let reportUrl;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    a = await device(browser);
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').fill('Erika Beispiel');
    link = await invite(a.page, 'caseworker', 'Herr Amt');
    await synced(a.page);
    reportId = parts(link).report;
    reportUrl = `${relay.url}/#/bericht/${reportId}`;
    assert.equal(a.page.url(), reportUrl);
  });

  after(async () => {
    // A device that took a wrong key, and devices joining, may log refused or closed
    // WebSocket connections; anything else in the console is an error.
    const expected = /^WebSocket connection to '[^']*\/sync' failed: /;
    const errors = [a, b].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('a device joining with the genuine link leaves no key in the address bar or the history', async () => {
    b = await device(browser);
    // The app is open first, then the link is pasted into the address bar.
    await b.page.goto(relay.url + '/');
    await b.page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    const before = await b.page.evaluate(() => history.length);
    await b.page.goto(link);
    await b.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await synced(b.page);
    assert.equal(await b.page.locator('#feld-lb_name').inputValue(), 'Erika Beispiel');
    assert.equal(b.page.url(), reportUrl, 'the report route replaced the link');
    assert.equal(await b.page.evaluate(() => history.length), before + 1, 'the report took the link\'s entry');
    // Back leads to the case list, not to the link; Forward to the report again.
    await b.page.goBack();
    await b.page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
    assert.doesNotMatch(b.page.url(), /einladung|[0-9a-f]{64}/);
    await b.page.goForward();
    await b.page.locator('#feld-lb_name').waitFor();
    assert.equal(b.page.url(), reportUrl);
    await synced(b.page);
  });

  test('the genuine link on the device that shared opens the report without asking', async () => {
    await a.page.goto(link);
    await a.page.waitForURL(reportUrl);
    await a.page.locator('#feld-lb_name').waitFor();
    assert.equal(await warning(a.page).count(), 0);
    await synced(a.page);
  });

  test('a copy of the genuine link with its secret changed only opens the report', async () => {
    const genuine = await stored(a.page, reportId);
    const { base, role, report, room: access } = parts(link);
    const changed = (access[0] === '0' ? '1' : '0') + access.slice(1);
    await a.page.goto(`${base}#/einladung/${role}/${report}/${changed}`);
    await a.page.waitForURL(reportUrl);
    await a.page.locator('#feld-lb_name').waitFor();
    assert.equal(await warning(a.page).count(), 0);
    assert.deepEqual(await stored(a.page, reportId), genuine);
    await synced(a.page);
  });

  test('a link with one key character changed warns, and declining keeps the report in sync', async () => {
    const genuine = await stored(a.page, reportId);
    const crafted = oneKeyCharChanged(parts(link).base, reportId, genuine);
    const entries = await a.page.evaluate(() => history.length);
    await a.page.goto(crafted);
    await warning(a.page).waitFor();
    await a.page.getByRole('heading', { name: 'Dieser Link führt an einen anderen Ort', level: 2 }).waitFor();
    await warning(a.page).getByText('wird schon über einen anderen Zugang geteilt').waitFor();
    await warning(a.page).getByText('Bericht: Erika Beispiel').waitFor();
    await a.page.getByRole('button', { name: 'Neuen Zugang verwenden' }).waitFor();
    // The harmless choice has the focus and is described by the explanation.
    await a.page.waitForFunction(() => document.activeElement?.id === 'link-nicht-verwenden');
    const described = await keepButton(a.page).evaluate((el) => document.getElementById(el.getAttribute('aria-describedby'))?.textContent ?? '');
    assert.match(described, /an einen anderen Ort übertragen/);
    // Nothing was replaced by merely opening the link.
    assert.deepEqual(await stored(a.page, reportId), genuine);
    assert.deepEqual(await axe(a.page), [], 'the warning has no accessibility violations');

    const shot = process.env.CRAFTED_LINK_SCREENSHOT;
    if (shot) {
      await a.page.setViewportSize({ width: 1024, height: 768 });
      await a.page.screenshot({ path: shot });
      await a.page.setViewportSize({ width: 1024, height: 900 });
    }

    // Enter on the focused default: the report opens with its room and key unchanged.
    await a.page.keyboard.press('Enter');
    await a.page.waitForURL(reportUrl);
    await a.page.locator('#feld-lb_name').waitFor();
    assert.deepEqual(await stored(a.page, reportId), genuine);
    await synced(a.page);
    // The report's route took the crafted link's place in the history.
    assert.equal(await a.page.evaluate(() => history.length), entries + 1);

    // An edit on A still reaches B, who joined with the genuine link, and back.
    await chooseRole(a.page, 'Einrichtung/Dienst');
    await a.page.locator('#feld-entwicklung_freizeit').fill(FREIZEIT);
    await shows(b.page, 'entwicklung_freizeit', (v) => v === FREIZEIT);
    await b.page.locator('#feld-gesamtplan_vom').fill('2026-03-04');
    await shows(a.page, 'gesamtplan_vom', (v) => v === '2026-03-04');
  });

  test('a link for a report not shared on this device asks too', async () => {
    await a.page.goto(relay.url + '/');
    await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await a.page.locator('#feld-lb_name').waitFor();
    const local = a.page.url().split('#/bericht/')[1];
    assert.equal(await stored(a.page, local), null);
    const { base } = parts(link);
    const forged = `${base}#/einladung/provider/${local}/${randomHex(16)}/${randomHex(32)}`;
    await a.page.goto(forged);
    await a.page.getByRole('heading', { name: 'Diesen Bericht gibt es hier schon', level: 2 }).waitFor();
    await a.page.getByRole('button', { name: 'Link verwenden', exact: true }).waitFor();
    await a.page.waitForFunction(() => document.activeElement?.id === 'link-nicht-verwenden');
    assert.deepEqual(await axe(a.page), []);
    await keepButton(a.page).click();
    await a.page.waitForURL(`${relay.url}/#/bericht/${local}`);
    await a.page.locator('#feld-lb_name').waitFor();
    assert.equal(await stored(a.page, local), null, 'still not shared');
    assert.equal(await a.page.locator('.sync-status').count(), 0);
  });

  test('choosing "Neuen Zugang verwenden" replaces room and key', async () => {
    // The copy with one key character changed: taken, it names the same room with a key the
    // room does not accept.
    const crafted = oneKeyCharChanged(parts(link).base, reportId, await stored(a.page, reportId));
    await a.page.goto(crafted);
    await warning(a.page).waitFor();
    // Reachable by keyboard: Tab from the default to the other choice.
    await a.page.waitForFunction(() => document.activeElement?.id === 'link-nicht-verwenden');
    await a.page.keyboard.press('Tab');
    assert.equal(await a.page.evaluate(() => document.activeElement?.textContent), 'Neuen Zugang verwenden');
    await a.page.keyboard.press('Enter');
    await a.page.waitForURL(reportUrl);
    await a.page.locator('#feld-lb_name').waitFor();
    assert.deepEqual(await stored(a.page, reportId), { room: parts(crafted).room, key: parts(crafted).key });
    await a.page.locator('.sync-status[data-state="abgelehnt"]').waitFor({ timeout: 30_000 });

    // A link for a room of someone else's: taken, the whole report goes there, and whoever
    // holds that link reads it.
    const elsewhere = `${parts(link).base}#/einladung/caseworker/${reportId}/${randomHex(16)}/${randomHex(32)}`;
    await a.page.goto(elsewhere);
    await warning(a.page).waitFor();
    await a.page.getByRole('button', { name: 'Neuen Zugang verwenden' }).click();
    await a.page.waitForURL(reportUrl);
    assert.deepEqual(await stored(a.page, reportId), { room: parts(elsewhere).room, key: parts(elsewhere).key });
    await synced(a.page);
    const c = await device(browser);
    const before = await c.page.evaluate(() => history.length);
    await c.page.goto(elsewhere);
    await c.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await shows(c.page, 'entwicklung_freizeit', (v) => v === FREIZEIT);
    assert.equal(c.page.url(), reportUrl);
    assert.equal(await c.page.evaluate(() => history.length), before + 1, 'the report took the link\'s entry');
    assert.deepEqual(c.errors, []);
    await c.context.close();
  });
});
