// The person supported opens their invitation: their own view, in Leichte Sprache. Their
// wishes come first, then their goals with their own rating before the provider's, what
// others wrote about them, and where they sign; nothing only staff use is there. What they
// write and rate reaches the provider through the relay, "Vorlesen" reads the whole page in
// the order shown, and a reload keeps the view and the choice of language.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeSettled, device, invite, join, launch, recordSpeech, synced } from './lib/browser.mjs';
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

const headings = (page) => page.locator('.person-view h2').allTextContents();
const squash = (s) => s.replace(/\s+/g, ' ').trim();

test("the person's invitation opens their own view in Leichte Sprache: theirs first, no staff controls, and what they do reaches staff", async () => {
  const a = await device(browser);
  await a.page.goto(relay.url + '/');
  await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await a.page.locator('#feld-lb_name').fill('Kaya, Lea');
  await a.page.locator('#feld-entwicklung_mobilitaet').fill('Fährt jetzt allein mit dem Bus zur Arbeit.');
  await a.page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  const card = a.page.locator('.goal-card').first();
  await card.getByLabel('Nennung des Ziels').fill('Allein einkaufen gehen');
  await card.locator('input[type=radio][name$="-erreichung"][value="3"]').check();
  await waitSaved(a.page);
  const link = await invite(a.page, 'beneficiary', 'Lea Kaya');

  // A tablet, as the person holds it; through the relay only.
  const b = await device(browser);
  await b.context.addInitScript(recordSpeech);
  await b.page.setViewportSize({ width: 1024, height: 768 });
  await b.page.goto(link);
  await b.page.locator('.person-view').waitFor({ timeout: 30_000 });
  await synced(b.page);
  assert.match(b.page.url(), /#\/bericht\/[0-9a-f]+\/meins$/, 'the own view, and the key is gone from the address');
  await b.page.locator('html.plain-language').waitFor({ state: 'attached' });
  assert.equal(await b.page.getByRole('button', { name: 'Leichte Sprache' }).getAttribute('aria-pressed'), 'true');

  // Their things first, in the order that matters to them.
  assert.deepEqual((await headings(b.page)).map(squash),
    ['Ihre Wünsche', 'Über Sie', 'Ihre Ziele', 'Das haben andere über Sie geschrieben', 'Unterschreiben']);
  // Nothing only staff use: no sharing, export, checks, history, goal editing or deleting.
  for (const name of ['Teilen', 'Exportieren', 'Bericht prüfen', 'Ziel hinzufügen', 'Ziel entfernen', 'Für alle löschen']) {
    assert.equal(await b.page.getByRole('button', { name, exact: true }).count(), 0, name);
  }
  assert.equal(await b.page.locator('.person-view .field-history, .person-view .check-panel, .person-view #druckansicht').count(), 0);
  assert.equal(await b.page.getByLabel('Meine Rolle').isVisible(), false, 'no role to choose');
  // No greyed-out box of someone else's to look at (the only disabled buttons wait for the
  // person: undo with nothing to undo, signing before anything is drawn).
  const disabled = await b.page.locator('.person-view :disabled').evaluateAll((els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(disabled.filter((t) => !['Zurücknehmen', 'Wiederholen', 'Löschen und neu anfangen', 'Unterschreiben'].includes(t)), []);
  const readOnly = await b.page.locator('.person-view textarea[readonly], .person-view input[readonly]')
    .evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.id));
  assert.deepEqual(readOnly, []);

  // One "Vorlesen" per section of one field: it reads the heading and the field.
  const wishes = b.page.locator('#abschnitt-wuensche').locator('xpath=ancestor::section[1]');
  assert.equal(await wishes.getByRole('button', { name: /^Vorlesen/ }).count(), 1);

  // The goal: the person's own rating, then what the provider says.
  const goal = b.page.locator('.person-goal').first();
  assert.equal(squash(await goal.locator('.goal-text').textContent()), 'Allein einkaufen gehen');
  const provider = goal.locator('.provider-rating');
  assert.equal(squash(await provider.textContent()), 'Der Dienst sagt: Es hat zum Teil geklappt.');
  assert.ok(await goal.locator('fieldset.self-rating').evaluate((f, p) => !!(f.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING), await provider.elementHandle()),
    'the person\'s own rating comes before the provider\'s');

  // What others wrote, with who wrote it.
  const written = b.page.locator('.written-by-others .written', { hasText: 'Fährt jetzt allein mit dem Bus zur Arbeit.' });
  assert.equal(squash(await written.locator('.written-by').textContent()), 'Der Dienst hat das geschrieben:');

  assert.deepEqual(await axeSettled(b.page), []);

  // The bars speak plainly too.
  await b.page.locator('.save-status', { hasText: /^Gespeichert\.$/ }).waitFor();
  assert.match(squash(await b.page.locator('.sync-status').textContent()), /^Alles ist auf dem gleichen Stand\. Seit \d\d:\d\d Uhr\. · (Direkt mit den anderen|Über den Server) verbunden\.$/);
  assert.deepEqual((await b.page.locator('.undo-buttons button').allTextContents()).map(squash), ['Zurücknehmen', 'Wiederholen']);

  // The person writes and rates; the provider sees both.
  await b.page.locator('#feld-wuensche').fill('Ich will ans Meer fahren.');
  await goal.getByText('Es hat ganz geklappt. Oder es ist sogar besser geworden.').click();
  await goal.locator('.rating-difference', { hasText: 'Sie sehen es anders als der Dienst.' }).waitFor();
  await waitSaved(b.page);
  await a.page.waitForFunction(() => document.querySelector('#feld-wuensche')?.value === 'Ich will ans Meer fahren.', null, { timeout: 30_000 });
  await card.locator('fieldset.self-rating input[value="5"]:checked').waitFor({ timeout: 30_000 });

  // "Vorlesen" at the top reads the whole page, in the order shown.
  await b.page.getByRole('button', { name: 'Vorlesen: den ganzen Bericht' }).click();
  const spoken = await b.page.evaluate(() => window.__spoken);
  const at = (s) => spoken.findIndex((t) => t.includes(s));
  for (const s of ['Das ist Ihr Bericht.', 'Ich will ans Meer fahren.', 'Allein einkaufen gehen', 'Sie sagen: Es hat ganz geklappt.', 'Der Dienst sagt: Es hat zum Teil geklappt.', 'Fährt jetzt allein mit dem Bus zur Arbeit.', 'Hier unterschreiben Sie.']) {
    assert.ok(at(s) >= 0, `read aloud: ${s} (${JSON.stringify(spoken)})`);
  }
  assert.ok(at('Das ist Ihr Bericht.') < at('Ich will ans Meer fahren.'), 'intro, then the wishes');
  assert.ok(at('Ich will ans Meer fahren.') < at('Allein einkaufen gehen'), 'wishes, then goals');
  assert.ok(at('Sie sagen:') < at('Der Dienst sagt:'), 'own rating, then the provider\'s');
  assert.ok(at('Der Dienst sagt:') < at('Fährt jetzt allein'), 'goals, then what others wrote');
  assert.ok(at('Fährt jetzt allein') < at('Hier unterschreiben Sie.'), 'the signature last');

  // Standard German on request; the choice and the view survive a reload.
  await b.page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await b.page.locator('html:not(.plain-language)').waitFor({ state: 'attached' });
  await b.page.reload();
  await b.page.locator('.person-view').waitFor({ timeout: 30_000 });
  assert.equal(await b.page.locator('html.plain-language').count(), 0);
  await b.page.waitForFunction(() => document.querySelector('#feld-wuensche')?.value === 'Ich will ans Meer fahren.', null, { timeout: 30_000 });
  assert.ok((await headings(b.page)).map(squash).includes('Was andere geschrieben haben'));
  await b.page.locator('.person-goal input[value="5"]:checked').waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test('staff open the same link kind in their role: the whole form, in the language they chose', async () => {
  const a = await device(browser);
  await a.page.goto(relay.url + '/');
  await a.page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await a.page.locator('#feld-lb_name').fill('Kaya, Lea');
  const link = await invite(a.page, 'caseworker', 'Herr Amt');
  const c = await join(browser, link, { own: true, direct: false });
  assert.doesNotMatch(c.page.url(), /\/meins$/);
  assert.equal(await c.page.locator('.person-view').count(), 0);
  assert.equal(await c.page.locator('html.plain-language').count(), 0);
  // In Leichte Sprache the header names the roles plainly too.
  await c.page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await c.page.locator('html.plain-language').waitFor({ state: 'attached' });
  const role = c.page.getByLabel('Wer benutzt das Gerät?');
  assert.equal(await role.inputValue(), 'caseworker');
  assert.equal(squash(await role.locator('option:checked').textContent()), 'Jemand vom Amt');
  assert.deepEqual((await c.page.getByRole('navigation', { name: 'Haupt-Menü' }).getByRole('link').allTextContents()).map(squash), ['Berichte', 'Formulare']);
  await c.page.getByRole('button', { name: 'Leichte Sprache' }).click();
  await c.page.locator('html:not(.plain-language)').waitFor({ state: 'attached' });
  // The person's view is one button away, for showing it to the person.
  await c.page.locator('#ansicht-person').click();
  await c.page.locator('.person-view').waitFor();
  // Staff see it but do not write there: the person's boxes are theirs.
  await c.page.locator('.person-view .role-hint').waitFor();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(c.errors, []);
});
