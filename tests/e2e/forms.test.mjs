// Forms 2 and 3: choosing the form for a new report, the Feedbackbogen's Anlass hiding and
// requiring fields, and a Feedbackbogen created from an Erwartungsbogen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, device } from './lib/browser.mjs';
import { openApp, waitSaved, chooseRole } from './lib/app.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function newForm(page, name, firstField) {
  await page.getByRole('radio', { name, exact: true }).check();
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator(firstField).waitFor();
}

test('the Anlass hides what falls away and requires what Abbruch needs', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await chooseRole(page, 'Einrichtung/Dienst');
  await newForm(page, 'Feedbackbogen', '#feld-anlass');
  const anlass = page.locator('#feld-anlass');
  const visible = async (id) => page.locator(id).isVisible();

  // Nichtantritt: "Nachfolgende Angaben entfallen!"
  await anlass.selectOption({ label: 'Nichtantritt eLb' });
  await page.locator('#feld-erwartung_elb').waitFor({ state: 'hidden' });
  assert.equal(await visible('#feld-name'), true);
  for (const id of ['#feld-abbruch_am', '#feld-gruende', '#feld-erwartung_elb', '#feld-nach_der_teilnahme', '#feld-erstellt_am']) {
    assert.equal(await visible(id), false, `${id} after Nichtantritt`);
  }
  await page.getByRole('button', { name: 'Bericht prüfen' }).click();
  const problems = page.locator('.problem-list');
  await problems.waitFor();
  assert.doesNotMatch(await problems.innerText(), /Abbruch am|Erstellt am|Gründe/);

  // Abbruch: the date and the reasons appear, and "Prüfen" asks for them.
  await anlass.selectOption({ label: 'Abbruch' });
  await page.locator('#feld-abbruch_am').waitFor();
  assert.equal(await visible('#feld-gruende'), true);
  await page.getByRole('button', { name: 'Erneut prüfen' }).click();
  await page.locator('.problem-list', { hasText: 'Abbruch am' }).waitFor();
  const text = await problems.innerText();
  assert.match(text, /Bitte „Abbruch am“ ausfüllen\./);
  assert.match(text, /Bitte „Gründe\/Anlässe“ ausfüllen\./);

  // Regulärer Abschluss: the result questions, no Abbruch fields.
  await anlass.selectOption({ label: 'Regulärer Abschluss des Angebotes' });
  await page.locator('#feld-nach_der_teilnahme').waitFor();
  assert.equal(await visible('#feld-abbruch_am'), false);
  await waitSaved(page);
  // After a reload the Anlass still decides.
  await page.reload();
  await page.locator('#feld-nach_der_teilnahme').waitFor();
  assert.equal(await visible('#feld-abbruch_am'), false);
  await context.close();
});

test('a Feedbackbogen created from an Erwartungsbogen carries the expectation over', async () => {
  const { context, page } = await device(browser);
  await openApp(page);
  await chooseRole(page, 'Leistungsträger');
  await newForm(page, 'Erwartungsbogen für die Nutzung des Angebots', '#feld-projektname');
  await page.locator('#feld-projektname').fill('Angebot XY');
  await page.locator('#feld-name').fill('ZZZ-Tester');
  await page.locator('#feld-vorname').fill('Testi');
  // The expectation is the person's own words: written in their role.
  await chooseRole(page, 'Leistungsberechtigte Person');
  await page.locator('#feld-erwartungen').fill('Ich will einen Praktikumsplatz finden.');
  await chooseRole(page, 'Leistungsträger');
  await waitSaved(page);
  const first = page.url();

  await page.getByRole('button', { name: 'Feedbackbogen anlegen' }).click();
  await page.waitForURL((url) => url.toString() !== first);
  await page.locator('#feld-anlass').waitFor();
  assert.equal(await page.locator('#feld-name').inputValue(), 'ZZZ-Tester');
  assert.equal(await page.locator('#feld-auftragnehmer_massnahme').inputValue(), 'Angebot XY');
  await chooseRole(page, 'Einrichtung/Dienst');
  await page.locator('#feld-anlass').selectOption({ label: 'Regulärer Abschluss des Angebotes' });
  await page.locator('#feld-erwartung_elb').waitFor();
  assert.equal(await page.locator('#feld-erwartung_elb').inputValue(), 'Ich will einen Praktikumsplatz finden.');
  await context.close();
});
