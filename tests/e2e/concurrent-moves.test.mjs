// Two case-keeping devices remove the same person while both are offline, so each writes a
// move of its own: the provider's device comes back first and follows its move; the
// caseworker's comes back later, has both, follows the later one and leaves it in the other
// room. Every remaining device ends in one room, and what is typed after reaches all of them
// and not the removed person.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';

/// The room this device syncs the report in (localStorage `dreieck.sync.<report id>`, a
/// setting that holds a JSON string).
async function roomOf(page) {
  const room = await page.evaluate(() => {
    const k = Object.keys(localStorage).find((key) => key.startsWith('dreieck.sync.'));
    return k ? JSON.parse(JSON.parse(localStorage.getItem(k))).room : null;
  });
  assert.match(room ?? '', /^[0-9a-f]{32}$/, 'the device remembers a room');
  return room;
}

async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await check();
    if (last === true) return;
    assert.ok(Date.now() < deadline, `${what} (${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/// Removes the person supported through "Teilen" (works offline too).
async function removePerson(page) {
  await page.locator('#teilen').click();
  const dialog = page.locator('dialog.share-dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: /^Entfernen: .*Leistungsberechtigte Person/ }).click();
  await dialog.locator('.member-list .member', { hasText: 'entfernt' }).waitFor();
  await dialog.getByRole('button', { name: 'Fertig' }).click();
}

/// Waits until `page` knows that `name` joined (so it can remove them): the join reaches the
/// other devices live, after they were admitted.
async function seesJoined(page, name) {
  await page.locator('#teilen').click();
  const dialog = page.locator('dialog.share-dialog');
  await dialog.waitFor();
  await dialog.locator('.member-list .member', { hasText: name }).filter({ hasNotText: 'noch nicht dabei' }).waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Fertig' }).click();
}

describe('concurrent moves', () => {
  let relay; let browser; let provider; let caseworker; let guardian; let person;

  before(async () => {
    relay = await TestRelay.start();
    browser = await launch();
    provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').waitFor();
    const links = {};
    for (const [role, name] of [['caseworker', 'Herr Amt'], ['guardian', 'Frau Betreuerin'], ['beneficiary', 'Frau K.']]) {
      links[role] = await invite(provider.page, role, name);
    }
    await synced(provider.page);
    caseworker = await join(browser, links.caseworker);
    guardian = await join(browser, links.guardian);
    person = await join(browser, links.beneficiary);
  });

  after(async () => {
    const expected = /^WebSocket connection to '[^']*\/sync' failed: Error in connection establishment: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)$/;
    const errors = [provider, caseworker, guardian, person].map((d) => (d?.errors ?? []).filter((e) => !expected.test(e)));
    await browser?.close();
    await relay?.stop();
    for (const e of errors) assert.deepEqual(e, [], 'no errors in the page');
  });

  test('two devices that moved the report at the same time end in one room with everyone else', async () => {
    const old = await roomOf(provider.page);
    for (const d of [provider, caseworker]) await seesJoined(d.page, 'Frau K.');
    for (const d of [provider, caseworker]) {
      await d.context.setOffline(true);
      await d.page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: 15_000 });
    }
    // Offline, both remove the person: two moves, the caseworker's the later one.
    await removePerson(provider.page);
    await removePerson(caseworker.page);

    // The provider's device comes back first: its move is the only one in the old room, and
    // it follows it (so does the guardian's device, online all along).
    await provider.context.setOffline(false);
    await until('the provider follows its own move', async () => (await roomOf(provider.page)) !== old || 'still in the old room');
    const first = await roomOf(provider.page);
    await until('the guardian follows the first move', async () => (await roomOf(guardian.page)) === first || 'not there');

    // The caseworker's device comes back: it has both moves, follows its own (the later one)
    // and leaves it in the first move's room, from where the others follow.
    await caseworker.context.setOffline(false);
    await until('the caseworker follows the later move', async () => {
      const r = await roomOf(caseworker.page);
      return (r !== old && r !== first) || `in ${r === old ? 'the old room' : 'the first move\'s room'}`;
    });
    const last = await roomOf(caseworker.page);
    for (const [name, d] of [['provider', provider], ['guardian', guardian]]) {
      await until(`the ${name} follows the later move`, async () => (await roomOf(d.page)) === last || 'not there');
    }

    // What is typed now reaches every remaining device, and not the person's.
    const words = 'Nach beiden Umzügen.';
    await provider.page.locator('#feld-entwicklung_allgemein').fill(words);
    for (const d of [caseworker, guardian]) {
      await until('the words arrive', async () => (await d.page.locator('#feld-entwicklung_allgemein').inputValue()) === words || 'not yet');
    }
    await caseworker.page.locator('#feld-gesamtplan_vom').fill('2026-07-08');
    await until('the caseworker\'s date arrives', async () => (await provider.page.locator('#feld-gesamtplan_vom').inputValue()) === '2026-07-08' || 'not yet');
    await synced(person.page);
    assert.equal(await person.page.locator('#feld-entwicklung_allgemein').inputValue(), '');
    await person.page.locator('.moved-away').waitFor();
  });
});
