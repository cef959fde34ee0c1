// Conversation mode on one tablet: who is present, "Wer spricht gerade?" making edits count as
// that person's, the agenda step by step with one goal at a time, and a caseworker joined from
// the office following the step the tablet shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device, axe, invite } from './lib/browser.mjs';
import { openApp, newReport, waitSaved } from './lib/app.mjs';
import { TestRelay } from './lib/relay.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const stepTitle = (page) => page.locator('#gespraech-schritt');

async function startConversation(page) {
  await page.locator('#gespraech-starten').click();
  await stepTitle(page).waitFor();
}

async function history(page, fieldId) {
  const details = page.locator(`.field-slot[data-field="${fieldId}"] details.field-history`);
  await details.locator('summary').click();
  await details.locator('li, p').first().waitFor();
  return details.locator('li').allInnerTexts();
}

test('the tablet: who is present, who speaks, and the agenda one goal at a time', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await newReport(page);
  await startConversation(page);
  assert.equal(await stepTitle(page).textContent(), 'Schritt 1 von 6: Allgemeines');
  assert.match(page.url(), /#\/bericht\/[0-9a-f]+\/gespraech$/);

  // Nobody present yet: the switch asks for the participants first.
  await page.getByText('Zuerst oben eintragen, wer dabei ist.').waitFor();
  await page.getByRole('checkbox', { name: 'Leistungsberechtigte Person' }).check();
  await page.locator('#dabei-beneficiary-name').fill('Anna Beispiel');
  await page.locator('#dabei-beneficiary-name').press('Tab');
  await page.getByRole('checkbox', { name: 'Einrichtung/Dienst' }).check();
  await page.locator('#dabei-provider-name').fill('Frau Sommer');
  await page.locator('#dabei-provider-name').press('Tab');
  const anna = page.getByRole('radio', { name: 'Anna Beispiel (Leistungsberechtigte Person)' });
  const staff = page.getByRole('radio', { name: 'Frau Sommer (Einrichtung/Dienst)' });

  // Whoever speaks writes: the history names each.
  await staff.check();
  await page.locator('#feld-lb_anschrift').pressSequentially('Notiz. ');
  await anna.check();
  assert.equal(await page.getByLabel('Meine Rolle').inputValue(), 'beneficiary');
  await page.locator('#feld-lb_anschrift').focus();
  await page.keyboard.press('End');
  await page.keyboard.type('Ich wohne gern hier.');
  await waitSaved(page);
  const lines = await history(page, 'lb_anschrift');
  assert.match(lines[0], /Leistungsberechtigte Person · 20 Zeichen geschrieben$/);
  assert.match(lines[1], /Einrichtung\/Dienst · 7 Zeichen geschrieben$/);

  // Step by step: Entwicklung, then the goals, one at a time.
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await stepTitle(page).filter({ hasText: 'Schritt 2 von 6: Entwicklung' }).waitFor();
  assert.equal(await page.locator('#feld-lb_name').count(), 0, 'only this step is shown');
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await stepTitle(page).filter({ hasText: 'Schritt 3 von 6: Ziele' }).waitFor();
  await staff.check();
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await stepTitle(page).filter({ hasText: 'Schritt 3 von 6: Ziele – Ziel 1' }).waitFor();
  await page.locator('.goal-card textarea').first().fill('Allein einkaufen');
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await stepTitle(page).filter({ hasText: 'Schritt 4 von 7: Ziele – Ziel 2' }).waitFor();
  assert.equal(await page.locator('.goal-card').count(), 1, 'one goal at a time');
  assert.equal(await page.locator('.goal-card h3').textContent(), 'Ziel 2');
  await page.getByRole('button', { name: 'Zurück' }).first().click();
  await stepTitle(page).filter({ hasText: 'Ziel 1' }).waitFor();
  assert.equal(await page.locator('.goal-card textarea').first().inputValue(), 'Allein einkaufen');

  // The wishes are the person's own words: open while Anna speaks, not while staff does.
  await page.getByRole('button', { name: 'Ihre Wünsche' }).or(page.getByRole('button', { name: 'Wünsche' })).first().click();
  await stepTitle(page).filter({ hasText: 'Wünsche' }).waitFor();
  assert.equal(await page.locator('#feld-wuensche').evaluate((e) => e.readOnly), true);
  await anna.check();
  assert.equal(await page.locator('#feld-wuensche').evaluate((e) => e.readOnly), false);
  await page.locator('#feld-wuensche').fill('Ich will kochen lernen.');
  await waitSaved(page);

  // Large type and targets on the tablet; nothing for axe to find.
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(size >= 18, `root font ${size}px`);
  assert.deepEqual(await smallTargets(page), []);
  assert.deepEqual(await axe(page), []);

  // "Weiter" from below a long step: the next step's heading comes into view with the focus,
  // clear of the sticky bar.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByRole('button', { name: 'Zurück' }).last().click();
  await stepTitle(page).filter({ hasText: 'Schritt 4 von 7' }).waitFor();
  await page.getByRole('button', { name: 'Weiter' }).last().scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: 'Weiter' }).last().click();
  await stepTitle(page).filter({ hasText: 'Schritt 5 von 7: Wünsche' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'gespraech-schritt');
  await page.waitForFunction(() => {
    const bar = document.querySelector('.editor-bar').getBoundingClientRect();
    const h = document.getElementById('gespraech-schritt').getBoundingClientRect();
    return h.top >= bar.bottom - 1 && h.bottom <= innerHeight;
  });

  // The closing summary: what was agreed, what each person said, who still signs.
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await stepTitle(page).filter({ hasText: 'Schritt 7 von 7: Zusammenfassung' }).waitFor();
  const summary = page.locator('.closing-summary');
  await summary.getByText('Ziel 1: Allein einkaufen').waitFor();
  assert.equal(
    (await summary.locator('.summary-saying-own .summary-byline').textContent()),
    'Wünsche und Vorstellungen des Leistungsberechtigten – in eigenen Worten von Anna Beispiel (Leistungsberechtigte Person), getippt',
  );
  assert.equal(await summary.locator('.summary-saying-own blockquote').textContent(), 'Ich will kochen lernen.');
  await summary.getByText('Es fehlen noch 3 Unterschriften.').waitFor();
  await summary.getByText('Unterschrift/Datum des Leistungsberechtigten: noch nicht unterschrieben').waitFor();
  assert.deepEqual(await axe(page), []);
  // In Leichte Sprache the person is addressed, and the summary goes to the signatures.
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await page.locator('html.plain-language').waitFor();
  await stepTitle(page).filter({ hasText: 'Das haben wir besprochen' }).waitFor();
  await summary.getByText('Ihre Unterschrift: Hier fehlt noch die Unterschrift.').waitFor();
  assert.match(await summary.locator('.summary-saying-own .summary-byline').textContent(), /Das haben Sie selbst gesagt:$/);
  assert.deepEqual(await axe(page), []);
  await summary.getByRole('button', { name: 'Jetzt unterschreiben' }).click();
  await stepTitle(page).filter({ hasText: 'Schritt 6 von 7' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'gespraech-schritt');
  await page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await page.locator('html:not(.plain-language)').waitFor();
  await page.getByRole('button', { name: 'Zurück' }).first().click();

  // A reload comes back to the same step with the same people.
  await page.reload();
  await stepTitle(page).filter({ hasText: 'Schritt 5 von 7: Wünsche' }).waitFor();
  assert.equal(await page.locator('#dabei-beneficiary-name').inputValue(), 'Anna Beispiel');
  // Back to the whole report: the large type goes with the conversation.
  await page.getByRole('link', { name: 'Ganzen Bericht zeigen' }).click();
  await page.locator('#feld-lb_name').waitFor();
  assert.equal(await page.locator('html.conversation-mode').count(), 0);
  assert.deepEqual(errors, []);
});

/// Every control on the page whose target is smaller than 44 × 44 px (a checkbox or radio
/// button counts with its label, which is where a finger lands).
function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
      const target = el.type === 'checkbox' || el.type === 'radio' ? (el.closest('label') ?? el) : el;
      const r = target.getBoundingClientRect();
      if (!target.checkVisibility() || r.width <= 1 || r.height <= 1) continue;
      if (r.width < 44 || r.height < 44) {
        out.push(`${el.tagName} ${el.id || el.textContent.trim().slice(0, 30)} ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  });
}

test('on a 1024 × 768 tablet every step begins on the first screen, with large targets, in both languages', async () => {
  const { page, errors } = await device(browser);
  await page.setViewportSize({ width: 1024, height: 768 });
  await openApp(page);
  await newReport(page);
  await startConversation(page);
  for (const [role, name] of [['beneficiary', 'Anna Beispiel'], ['provider', 'Frau Sommer'], ['caseworker', 'Herr Amt']]) {
    await page.locator(`#dabei-${role}`).check();
    await page.locator(`#dabei-${role}-name`).fill(name);
    await page.locator(`#dabei-${role}-name`).press('Tab');
  }
  await page.getByRole('radio', { name: /^Frau Sommer/ }).check();
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await page.getByRole('button', { name: 'Weiter' }).first().click();
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await stepTitle(page).filter({ hasText: 'Ziel 1' }).waitFor();
  // People noted: the list folds to a line when the page is opened again.
  await page.reload();
  await stepTitle(page).waitFor();
  for (const plain of [false, true]) {
    if (plain) {
      await page.getByRole('button', { name: 'Leichte Sprache' }).click();
      await page.locator('html.plain-language').waitFor();
    }
    await page.locator('.agenda-step').first().click();
    await stepTitle(page).filter({ hasText: /^Schritt 1 von/ }).waitFor();
    for (;;) {
      const title = await stepTitle(page).textContent();
      await page.evaluate(() => window.scrollTo(0, 0));
      const heading = await stepTitle(page).boundingBox();
      assert.ok(heading.y >= 0 && heading.y + heading.height <= 768 - 96, `${title}: heading at ${heading.y}`);
      assert.deepEqual(await smallTargets(page), [], title);
      const next = page.getByRole('button', { name: 'Weiter' }).first();
      if (await next.isDisabled()) break;
      await next.click();
      await stepTitle(page).filter({ hasNotText: title }).waitFor();
    }
    assert.match(await stepTitle(page).textContent(), plain ? /Das haben wir besprochen$/ : /Zusammenfassung$/);
  }
  assert.deepEqual(errors, []);
});

test('a caseworker joined from the office sees the step the tablet shows', async () => {
  const relay = await TestRelay.start();
  try {
    const tablet = await device(browser);
    await tablet.page.goto(relay.url + '/');
    await tablet.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await tablet.page.locator('#feld-lb_name').waitFor();
    const link = await invite(tablet.page, 'caseworker', 'Herr Amt');
    await startConversation(tablet.page);

    const office = await device(browser);
    await office.page.goto(link);
    await office.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await startConversation(office.page);
    assert.equal(await stepTitle(office.page).textContent(), 'Schritt 1 von 6: Allgemeines');

    await tablet.page.getByRole('button', { name: 'Weiter' }).first().click();
    await tablet.page.getByRole('button', { name: 'Weiter' }).first().click();
    await stepTitle(tablet.page).filter({ hasText: 'Schritt 3 von 6: Ziele' }).waitFor();
    await stepTitle(office.page).filter({ hasText: 'Schritt 3 von 6: Ziele' }).waitFor({ timeout: 30_000 });
    // And the other way round: the office moves on, the tablet follows.
    await office.page.getByRole('button', { name: 'Weiter' }).first().click();
    await stepTitle(tablet.page).filter({ hasText: 'Schritt 4 von 6: Wünsche' }).waitFor({ timeout: 30_000 });
    assert.deepEqual([...tablet.errors, ...office.errors], []);
    await tablet.context.close();
    await office.context.close();
  } finally {
    await relay.stop();
  }
});
