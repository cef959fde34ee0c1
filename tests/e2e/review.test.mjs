// The caseworker's review across two devices through the relay: the caseworker asks at a
// field and at a goal, the provider sees "Rückfrage" in the case list and answers where it was
// asked, the caseworker closes both and accepts the report; status, print and case list say so
// on both devices, an edit after the acceptance is named, and a reload loses nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeSettled, axe, device, invite, join, launch, synced } from './lib/browser.mjs';
import { TestRelay } from './lib/relay.mjs';
import { waitSaved } from './lib/app.mjs';

let relay; let browser;
before(async () => {
  relay = await TestRelay.start();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await relay?.stop();
});

const FIELD = 'entwicklung_mobilitaet';
const slot = (page) => page.locator(`.field-slot[data-field="${FIELD}"]`);
const goalCard = (page) => page.locator('.goal-card').first();
/// The remark in `scope` whose question is `text`.
const remark = (scope, text) => scope.locator('.remark', { hasText: text });

async function ask(page, scope, question) {
  await scope.getByRole('button', { name: /^Rückfrage zu „.*“ stellen$/ }).click();
  const box = scope.getByLabel(/^Rückfrage zu „/);
  // The box has focus as soon as it opens: typing goes there.
  await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
  await box.fill(question);
  await scope.getByRole('button', { name: 'Rückfrage senden' }).click();
  await remark(scope, question).waitFor();
}

test('remark, answer, done and "angenommen" travel between provider and caseworker', async () => {
  const a = await device(browser);
  await a.page.goto(relay.url + '/');
  await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await a.page.locator('#feld-lb_name').fill('Erika Beispiel');
  await a.page.locator(`#feld-${FIELD}`).fill('Fährt allein Bus.');
  await a.page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  await goalCard(a.page).getByLabel('Nennung des Ziels').fill('Allein einkaufen');
  await waitSaved(a.page);
  const link = await invite(a.page, 'caseworker', 'Herr Amt');
  const b = await join(browser, link, { direct: false });
  assert.equal(await b.page.getByLabel('Meine Rolle').inputValue(), 'caseworker');
  await b.page.waitForFunction(() => document.querySelector('.goal-card textarea')?.value === 'Allein einkaufen', null, { timeout: 30_000 });

  // Only the caseworker asks: the provider has no such button.
  assert.equal(await a.page.getByRole('button', { name: /^Rückfrage zu „.*“ stellen$/ }).count(), 0);
  await ask(b.page, slot(b.page), 'Welche Strecken genau?');
  await ask(b.page, goalCard(b.page), 'Wie oft pro Woche?');
  const counts = b.page.locator('#rueckfragen-stand');
  assert.equal(await counts.textContent(), '2 offen · 0 beantwortet · 0 erledigt');
  // Accepting with questions open is refused, with the reason.
  await b.page.locator('#bericht-annehmen').click();
  await b.page.locator('.review-panel [role="alert"]', { hasText: 'Es gibt noch 2 offene Rückfragen' }).waitFor();

  // The provider sees both questions where they were asked, and in the case list.
  await remark(slot(a.page), 'Welche Strecken genau?').waitFor({ timeout: 30_000 });
  await remark(goalCard(a.page), 'Wie oft pro Woche?').waitFor({ timeout: 30_000 });
  assert.match(await remark(slot(a.page), 'Welche Strecken').locator('.remark-meta').first().textContent(), /^Rückfrage von Herr Amt \(Leistungsträger\), \d\d\.\d\d\.\d{4} · offen$/);
  await waitSaved(a.page);
  await a.page.goto(relay.url + '/#/');
  const row = a.page.locator('.case', { hasText: 'Erika Beispiel' });
  await row.locator('.case-review', { hasText: '2 Rückfragen offen' }).waitFor();
  await a.page.locator('#nur-rueckfragen').check();
  assert.equal(await a.page.locator('.case').count(), 1);
  assert.deepEqual(await axe(a.page), []);
  await row.locator('.case-open').click();
  await slot(a.page).waitFor();

  // The provider answers at the field and at the goal.
  const answer = async (scope, question, text) => {
    const r = remark(scope, question);
    await r.getByLabel('Antwort an den Leistungsträger').fill(text);
    await r.getByRole('button', { name: 'Antwort senden' }).click();
    await r.locator('.remark-answer', { hasText: text }).waitFor();
  };
  await answer(slot(a.page), 'Welche Strecken genau?', 'Zur Werkstatt und zurück.');
  await answer(goalCard(a.page), 'Wie oft pro Woche?', 'Zweimal.');
  assert.deepEqual(await axeSettled(a.page), []);

  // The caseworker reads the answers and closes both; then accepts.
  const answered = remark(slot(b.page), 'Welche Strecken genau?');
  await answered.locator('.remark-answer', { hasText: 'Zur Werkstatt und zurück.' }).waitFor({ timeout: 30_000 });
  await remark(goalCard(b.page), 'Wie oft pro Woche?').locator('.remark-answer', { hasText: 'Zweimal.' }).waitFor({ timeout: 30_000 });
  assert.match(await answered.locator('.remark-answer .remark-meta').textContent(), /^Antwort von (.+ \(Einrichtung\/Dienst\)|Einrichtung\/Dienst), \d\d\.\d\d\.\d{4}$/);
  assert.equal(await counts.textContent(), '0 offen · 2 beantwortet · 0 erledigt');
  for (const scope of [slot(b.page), goalCard(b.page)]) {
    const r = scope.locator('.remark');
    await r.getByRole('button', { name: 'Als erledigt markieren' }).click();
    await scope.locator('.remark.remark-erledigt').waitFor();
    // Focus stays on the remark the button belonged to.
    assert.equal(await b.page.evaluate(() => document.activeElement?.classList.contains('remark')), true);
  }
  assert.equal(await counts.textContent(), '0 offen · 0 beantwortet · 2 erledigt');
  await b.page.locator('#bericht-annehmen').click();
  await b.page.locator('#angenommen', { hasText: /^Bericht angenommen am \d\d\.\d\d\.\d{4} von Herr Amt\.$/ }).waitFor();
  assert.deepEqual(await axeSettled(b.page), []);

  // The provider's device: accepted, submitted, and no answer box on closed questions.
  await a.page.locator('#angenommen').waitFor({ timeout: 30_000 });
  assert.equal(await a.page.locator('#bericht-stand').textContent(), 'übermittelt');
  await a.page.locator('#stand-angenommen', { hasText: /^Vom Leistungsträger angenommen am \d\d\.\d\d\.\d{4}\.$/ }).waitFor();
  // The field's history holds each step of its question.
  const history = slot(a.page).locator('details.field-history');
  await history.locator('summary').click();
  const steps = history.locator('.history-list').last().locator('li');
  await steps.nth(2).waitFor();
  assert.deepEqual((await steps.allTextContents()).map((t) => t.replace(/^\d\d\.\d\d\.\d{4} · /, '')),
    ['Leistungsträger · Rückfrage gestellt', 'Einrichtung/Dienst · beantwortet', 'Leistungsträger · erledigt']);
  assert.equal(await slot(a.page).getByLabel('Antwort an den Leistungsträger').count(), 0);
  await waitSaved(a.page);

  // An edit after the acceptance is named on the caseworker's device.
  await a.page.locator(`#feld-${FIELD}`).fill('Fährt allein Bus und Bahn.');
  await b.page.locator('#nach-annahme-geaendert', { hasText: 'Seit der Annahme geändert:' }).waitFor({ timeout: 30_000 });

  // The print says it was accepted.
  await waitSaved(a.page);
  await a.page.locator('#druckansicht').click();
  await a.page.locator('#druck-angenommen', { hasText: /^Vom Leistungsträger angenommen am \d\d\.\d\d\.\d{4} \(Herr Amt\)\.$/ }).waitFor();
  await a.page.locator('.print-acceptance', { hasText: 'Nach der Annahme geändert:' }).waitFor();

  // The case list shows the acceptance instead of a question.
  await a.page.goto(relay.url + '/#/');
  await a.page.locator('.case', { hasText: 'Erika Beispiel' }).locator('.case-accepted', { hasText: /^angenommen am \d\d\.\d\d\.\d{4}$/ }).waitFor();

  // A reload of the caseworker's device loses nothing.
  await synced(b.page);
  await b.page.reload();
  await slot(b.page).locator('.remark.remark-erledigt', { hasText: 'Welche Strecken genau?' }).waitFor({ timeout: 30_000 });
  await b.page.locator('#angenommen').waitFor();
  assert.equal(await b.page.locator('#rueckfragen-stand').textContent(), '0 offen · 0 beantwortet · 2 erledigt');

  const expected = /^WebSocket connection to '[^']*\/sync' failed: /;
  assert.deepEqual(a.errors.filter((e) => !expected.test(e)), [], 'no errors on the provider device');
  assert.deepEqual(b.errors.filter((e) => !expected.test(e)), [], 'no errors on the caseworker device');
});
