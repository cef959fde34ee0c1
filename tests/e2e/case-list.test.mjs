// The case list as a caseworker with many reports uses it: ordered by deadline, overdue ones
// marked, filtered by status, person and "nur überfällige"; the status moving from Entwurf to
// übermittelt; and "fehlender Hilfebaustein" flags gathered across reports, with a CSV for the
// planning level that names no person.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, device, axe, invite } from './lib/browser.mjs';
import { openApp, waitSaved, chooseRole, signatureLine } from './lib/app.mjs';
import { TestRelay } from './lib/relay.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The date `days` from today as `JJJJ-MM-TT`, where the test's devices are (Europe/Berlin):
/// the app judges deadlines in the device's local time.
function isoIn(days) {
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function german(iso) {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

async function newForm(page, form, firstField) {
  await page.getByRole('radio', { name: form, exact: true }).check();
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator(firstField).waitFor();
  return page.url().split('/').pop();
}

async function backToList(page) {
  await waitSaved(page);
  await page.getByRole('link', { name: 'Alle Berichte' }).click();
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

/// A KVJS report for `name` whose Berichtszeitraum ends `days` from today.
async function kvjs(page, name, days) {
  await chooseRole(page, 'Einrichtung/Dienst');
  const id = await newForm(page, 'Ergebnisbericht (KVJS Baden-Württemberg)', '#feld-lb_name');
  await page.locator('#feld-lb_name').fill(name);
  await page.locator('#feld-berichtszeitraum-from').fill(isoIn(days - 365));
  await page.locator('#feld-berichtszeitraum-to').fill(isoIn(days));
  await backToList(page);
  return id;
}

const rows = (page) => page.locator('.case-list .case');
const titles = async (page) => rows(page).locator('.case-title').allTextContents();

/// Waits until the list shows exactly `expected`, in this order.
async function assertOrder(page, expected) {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('.case-list .case-title')].map((e) => e.textContent)) === JSON.stringify(want),
    expected,
    { timeout: 10_000 },
  ).catch(() => {});
  assert.deepEqual(await titles(page), expected);
}

const row = (page, name) => rows(page).filter({ has: page.locator('.case-title', { hasText: name }) });

test('deadlines order the list, overdue ones are marked, and filters narrow it', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);

  // Created in an order unlike both the deadlines and the names.
  await chooseRole(page, 'Leistungsträger');
  await newForm(page, 'Erwartungsbogen für die Nutzung des Angebots', '#feld-name');
  await page.locator('#feld-name').fill('Dorn, Eva');
  await backToList(page);
  await kvjs(page, 'Berger, Jan', 30);
  await kvjs(page, 'Adler, Tom', -5);
  await chooseRole(page, 'Einrichtung/Dienst');
  await newForm(page, 'Feedbackbogen', '#feld-anlass');
  await page.locator('#feld-name').fill('Celik, Ece');
  await page.locator('#feld-anlass').selectOption({ label: 'Abbruch' });
  await page.locator('#feld-abbruch_am').fill(isoIn(-2));
  await backToList(page);

  // Fälligkeit: overdue first, then "bald fällig", then later, then no deadline.
  await assertOrder(page, ['Adler, Tom', 'Celik, Ece', 'Berger, Jan', 'Dorn, Eva']);
  const adler = row(page, 'Adler, Tom');
  assert.match(await adler.locator('.case-due').textContent(), new RegExp(`überfällig\\s*fällig bis ${german(isoIn(-5))}`));
  assert.equal(await adler.evaluate((el) => el.classList.contains('case-overdue')), true);
  assert.match(await row(page, 'Celik, Ece').locator('.case-due').textContent(), new RegExp(`bald fällig\\s*fällig bis ${german(isoIn(5))}`));
  assert.match(await row(page, 'Berger, Jan').locator('.case-due').textContent(), new RegExp(`^fällig bis ${german(isoIn(30))}$`));
  assert.equal(await row(page, 'Dorn, Eva').locator('.case-due').count(), 0, 'the Erwartungsbogen has no deadline');
  for (const name of ['Adler, Tom', 'Berger, Jan', 'Celik, Ece', 'Dorn, Eva']) {
    assert.equal(await row(page, name).locator('.status').textContent(), 'Entwurf');
  }

  // Other orders.
  await page.getByLabel('Sortieren nach').selectOption({ label: 'Name' });
  await assertOrder(page, ['Adler, Tom', 'Berger, Jan', 'Celik, Ece', 'Dorn, Eva']);
  await page.getByLabel('Sortieren nach').selectOption({ label: 'Letzte Änderung' });
  await assertOrder(page, ['Celik, Ece', 'Adler, Tom', 'Berger, Jan', 'Dorn, Eva']);
  await page.getByLabel('Sortieren nach').selectOption({ label: 'Fälligkeit' });

  // Filters, alone and together.
  await page.getByLabel('nur überfällige').check();
  await assertOrder(page, ['Adler, Tom']);
  await page.getByLabel('nur überfällige').uncheck();
  await page.getByLabel('Suchen nach Name').fill('ce');
  await assertOrder(page, ['Celik, Ece']);
  await page.getByLabel('Suchen nach Name').fill('');
  await page.getByLabel('Stand').selectOption({ label: 'übermittelt' });
  await page.locator('.message.empty', { hasText: 'Kein Bericht passt zu diesen Filtern.' }).waitFor();
  await page.getByLabel('Stand').selectOption({ label: 'alle' });
  await assertOrder(page, ['Adler, Tom', 'Celik, Ece', 'Berger, Jan', 'Dorn, Eva']);

  await axe(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the list shows what a caseworker plans by: Anlass, periods, why a report is due; sorted and filtered by them', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  const range = async (field, from, to) => {
    await page.locator(`#feld-${field}-from`).fill(isoIn(from));
    await page.locator(`#feld-${field}-to`).fill(isoIn(to));
  };
  const kvjsWith = async (name, report, approval) => {
    await chooseRole(page, 'Einrichtung/Dienst');
    await newForm(page, 'Ergebnisbericht (KVJS Baden-Württemberg)', '#feld-lb_name');
    await page.locator('#feld-lb_name').fill(name);
    if (report) await range('berichtszeitraum', report - 365, report);
    if (approval) await range('bewilligungszeitraum', approval - 730, approval);
    await backToList(page);
  };
  // The approval runs out before the reporting period ends: that is the deadline.
  await kvjsWith('Berger, Jan', 30, 20);
  await kvjsWith('Adler, Tom', 60, 90);
  await kvjsWith('Kern, Lea', null, null);
  await chooseRole(page, 'Einrichtung/Dienst');
  await newForm(page, 'Feedbackbogen', '#feld-anlass');
  await page.locator('#feld-name').fill('Celik, Ece');
  await range('teilnahme', -100, 40);
  await page.locator('#feld-anlass').selectOption({ label: 'Abbruch' });
  await page.locator('#feld-abbruch_am').fill(isoIn(-2));
  await backToList(page);
  await chooseRole(page, 'Leistungsträger');
  await newForm(page, 'Erwartungsbogen für die Nutzung des Angebots', '#feld-name');
  await page.locator('#feld-name').fill('Dorn, Eva');
  await backToList(page);

  // Each row says what it is for, which periods it covers, and why it is due when it is.
  const text = async (name, part) => (await row(page, name).locator(part).textContent()).trim();
  assert.equal(
    await text('Berger, Jan', '.case-plan'),
    `Berichtszeitraum des Ergebnisberichts: ${german(isoIn(-335))} – ${german(isoIn(30))} · Bewilligungszeitraum: ${german(isoIn(-710))} – ${german(isoIn(20))}`,
  );
  assert.match(await text('Berger, Jan', '.case-due'), new RegExp(`fällig bis ${german(isoIn(20))}$`));
  assert.equal(
    await text('Berger, Jan', '.case-due-reason'),
    `Ergebnisbericht: vor Ablauf des Bewilligungszeitraums vorzulegen, spätestens am ${german(isoIn(20))}.`,
  );
  assert.equal(await text('Celik, Ece', '.case-plan'), `Anlass: Abbruch · Teilnahme: ${german(isoIn(-100))} – ${german(isoIn(40))}`);
  assert.match(await text('Celik, Ece', '.case-due-reason'), /^Abbruch: sofort vorzulegen, spätestens eine Woche nach dem Abbruch/);
  assert.equal(await text('Kern, Lea', '.case-due-reason'), 'Ergebnisbericht: Frist unbekannt. Bitte beim Berichtszeitraum „bis“ eintragen.');
  assert.equal(await row(page, 'Kern, Lea').locator('.case-due').count(), 0);
  assert.equal(await row(page, 'Dorn, Eva').locator('.case-due-reason').count(), 0, 'a form without a deadline says nothing about one');

  // Sorted by the end of the approval, and of the reporting period; those without one last,
  // the newest change first among them.
  await page.getByLabel('Sortieren nach').selectOption({ label: 'Ende der Bewilligung' });
  await assertOrder(page, ['Berger, Jan', 'Adler, Tom', 'Dorn, Eva', 'Celik, Ece', 'Kern, Lea']);
  await page.getByLabel('Sortieren nach').selectOption({ label: 'Ende des Berichtszeitraums' });
  await assertOrder(page, ['Berger, Jan', 'Celik, Ece', 'Adler, Tom', 'Dorn, Eva', 'Kern, Lea']);

  // Filtered by form, by Anlass, by when the approval ends.
  await page.getByLabel('Formular').selectOption({ label: 'Feedbackbogen' });
  await assertOrder(page, ['Celik, Ece']);
  await page.getByLabel('Formular').selectOption({ label: 'alle' });
  assert.deepEqual(
    await page.locator('#filter-anlass option').allTextContents(),
    ['alle', 'Abbruch'],
    'the Anlass filter offers what the reports have',
  );
  await page.getByLabel('Anlass').selectOption({ label: 'Abbruch' });
  await assertOrder(page, ['Celik, Ece']);
  await page.getByLabel('Anlass').selectOption({ label: 'alle' });
  await page.getByLabel('Bewilligung endet bis').fill(isoIn(30));
  await assertOrder(page, ['Berger, Jan']);
  await page.getByLabel('Bewilligung endet bis').fill('');
  await assertOrder(page, ['Berger, Jan', 'Celik, Ece', 'Adler, Tom', 'Dorn, Eva', 'Kern, Lea']);

  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the status follows the report from Entwurf to übermittelt and survives a reload', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  const talked = await kvjs(page, 'Adler, Tom', 20);
  const signed = await kvjs(page, 'Berger, Jan', 10);

  // The conversation begins: im Gespräch.
  await page.goto(page.url().replace(/#.*$/, `#/bericht/${talked}/gespraech`));
  await page.locator('#gespraech-schritt').waitFor();
  await page.locator('details.participants').evaluate((d) => { d.open = true; });
  await page.locator('#dabei-beneficiary').check();
  await waitSaved(page);
  await page.goto(page.url().replace(/#.*$/, '#/'));
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
  await page.getByLabel('Stand').selectOption({ label: 'im Gespräch' });
  await assertOrder(page, ['Adler, Tom']);
  await page.getByLabel('Stand').selectOption({ label: 'alle' });

  // Every required line signed: unterschrieben (the guardian's line is optional).
  await row(page, 'Berger, Jan').locator('.case-open').click();
  await page.locator('#feld-lb_name').waitFor();
  const stand = page.locator('#bericht-stand');
  assert.equal(await stand.textContent(), 'Entwurf');
  const sign = async (field, role, name) => {
    await chooseRole(page, role);
    await page.locator(`#feld-${field}-name`).fill(name);
    await signatureLine(page, field).getByRole('button', { name: 'Unterschreiben' }).click();
    await page.locator(`#feld-${field}-signer`).waitFor();
  };
  await sign('unterschrift_leistungserbringer', 'Einrichtung/Dienst', 'Anna Berger');
  await stand.filter({ hasText: /^im Gespräch$/ }).waitFor();
  await sign('unterschrift_leitung', 'Einrichtung/Dienst', 'Kai Leitung');
  await sign('unterschrift_leistungsberechtigter', 'Leistungsberechtigte Person', 'Jan Berger');
  await stand.filter({ hasText: /^unterschrieben$/ }).waitFor();

  // The beneficiary cannot record the submission; the provider can, and can take it back.
  assert.equal(await page.locator('#als-uebermittelt').isDisabled(), true);
  await chooseRole(page, 'Einrichtung/Dienst');
  await page.locator('#uebermittelt-am').fill(isoIn(-1));
  await page.locator('#als-uebermittelt').click();
  await stand.filter({ hasText: /^übermittelt$/ }).waitFor();
  assert.match(await page.locator('#uebermittelt').textContent(), new RegExp(`Übermittelt am ${german(isoIn(-1))} \\(eingetragen von: Einrichtung/Dienst\\)`));
  assert.equal(await page.locator('#frist').count(), 0, 'a submitted report has no open deadline');
  await page.locator('#uebermittlung-zuruecknehmen').click();
  await stand.filter({ hasText: /^unterschrieben$/ }).waitFor();
  await page.locator('#als-uebermittelt').click();
  await stand.filter({ hasText: /^übermittelt$/ }).waitFor();
  await backToList(page);

  // Submitted reports go to the end and carry no deadline; everything survives a reload.
  await page.reload();
  await assertOrder(page, ['Adler, Tom', 'Berger, Jan']);
  assert.equal(await row(page, 'Berger, Jan').locator('.status').textContent(), 'übermittelt');
  assert.equal(await row(page, 'Berger, Jan').locator('.case-due').count(), 0);
  assert.equal(await row(page, 'Adler, Tom').locator('.status').textContent(), 'im Gespräch');
  await page.getByLabel('Stand').selectOption({ label: 'übermittelt' });
  await assertOrder(page, ['Berger, Jan']);

  // A change after signing makes the signatures cover an earlier version: no longer signed.
  await page.getByLabel('Stand').selectOption({ label: 'alle' });
  await row(page, 'Berger, Jan').locator('.case-open').click();
  await page.locator('#uebermittlung-zuruecknehmen').click();
  await stand.filter({ hasText: /^unterschrieben$/ }).waitFor();
  await page.locator('#feld-lb_name').fill('Berger, Jan-Ole');
  await stand.filter({ hasText: /^im Gespräch$/ }).waitFor();
  assert.ok(signed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('missing help is noted in a report, gathered across reports, and handed on without names', async () => {
  const { context, page, errors } = await device(browser);
  await openApp(page);
  await kvjs(page, 'Adler, Tom', 20);
  await kvjs(page, 'Berger, Jan', 40);

  await row(page, 'Adler, Tom').locator('.case-open').click();
  await page.locator('#feld-lb_name').waitFor();
  const panel = page.locator('section.missing-help');
  // The beneficiary does not note gaps here (their wishes are their own words).
  await chooseRole(page, 'Leistungsberechtigte Person');
  assert.equal(await page.locator('#hilfebaustein-eintragen').isDisabled(), true);
  await chooseRole(page, 'Leistungsträger');

  // Refused input gets a clear message and keeps what was typed.
  await page.getByLabel('Was hat gefehlt?').fill('Kein Fahrdienst am Wochenende.');
  await page.locator('#hilfebaustein-eintragen').click();
  await panel.locator('.message.error', { hasText: 'Bitte einen Bereich wählen.' }).waitFor();
  assert.equal(await page.getByLabel('Was hat gefehlt?').inputValue(), 'Kein Fahrdienst am Wochenende.');
  await page.getByLabel('Bereich', { exact: true }).selectOption({ label: 'Mobilität' });
  await page.locator('#hilfebaustein-eintragen').click();
  await panel.locator('.missing-help-item', { hasText: 'Kein Fahrdienst am Wochenende.' }).waitFor();
  assert.equal(await page.getByLabel('Was hat gefehlt?').inputValue(), '');
  assert.match(await panel.locator('.missing-help-item').textContent(), /Mobilität.*eingetragen von: Leistungsträger, am/);

  await page.getByLabel('Bereich', { exact: true }).selectOption({ label: 'Wohnen' });
  await page.getByLabel('Was hat gefehlt?').fill('   ');
  await page.locator('#hilfebaustein-eintragen').click();
  await panel.locator('.message.error', { hasText: 'Bitte beschreiben' }).waitFor();
  await page.getByLabel('Was hat gefehlt?').fill('Keine ambulant betreute WG im Landkreis.');
  await page.locator('#hilfebaustein-eintragen').click();
  await panel.locator('.missing-help-item').nth(1).waitFor();
  await axe(page);
  await backToList(page);

  await row(page, 'Berger, Jan').locator('.case-open').click();
  await page.locator('#feld-lb_name').waitFor();
  await chooseRole(page, 'Einrichtung/Dienst');
  await page.getByLabel('Bereich', { exact: true }).selectOption({ label: 'Wohnen' });
  await page.getByLabel('Was hat gefehlt?').fill('Kein Platz im Wohntraining.');
  await page.locator('#hilfebaustein-eintragen').click();
  await panel.locator('.missing-help-item').waitFor();
  await backToList(page);

  // The list counts them per report and in all; the overview groups them by area.
  assert.match(await row(page, 'Adler, Tom').locator('.case-flags').textContent(), /^2 fehlende Hilfebausteine$/);
  await page.reload();
  await page.getByRole('link', { name: 'Fehlende Hilfebausteine aller Berichte (3)' }).click();
  await page.getByRole('heading', { name: 'Fehlende Hilfebausteine', level: 1 }).waitFor();
  const areas = await page.locator('.gap-area h2').allTextContents();
  assert.deepEqual(areas, ['Mobilität (1)', 'Wohnen (2)']);
  const wohnen = page.locator('.gap-area', { hasText: 'Wohnen (2)' });
  assert.equal(await wohnen.getByRole('link', { name: 'Bericht von Berger, Jan' }).count(), 1);
  assert.equal(await wohnen.getByRole('link', { name: 'Bericht von Adler, Tom' }).count(), 1);
  await axe(page);

  // The CSV for the planning level: area, text, date and form, and no name.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Liste für die Planung herunterladen \(CSV, 3 Einträge\)/ }).click(),
  ]);
  const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'Bereich (Code);Bereich;Was hat gefehlt;Eingetragen am;Formular');
  assert.equal(lines.length, 4);
  assert.ok(lines.some((l) => l.startsWith('mobilitaet;Mobilität;Kein Fahrdienst am Wochenende.;')), csv);
  assert.ok(lines.some((l) => l.startsWith('wohnen;Wohnen;Kein Platz im Wohntraining.;')), csv);
  assert.doesNotMatch(csv, /Adler|Berger/);

  // Removing a flag in the report removes it from the overview.
  await wohnen.getByRole('link', { name: 'Bericht von Adler, Tom' }).click();
  await page.locator('#feld-lb_name').waitFor();
  await chooseRole(page, 'Leistungsträger');
  await page.getByRole('button', { name: 'Hinweis „Wohnen“ entfernen' }).click();
  await panel.locator('.missing-help-item').nth(1).waitFor({ state: 'detached' });
  await backToList(page);
  await page.getByRole('link', { name: 'Fehlende Hilfebausteine aller Berichte (2)' }).click();
  await page.locator('.gap-area h2', { hasText: 'Wohnen (1)' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a gap noted and a submission recorded on one device appear on the other', async () => {
  const relay = await TestRelay.start();
  try {
    const provider = await device(browser);
    await provider.page.goto(relay.url + '/');
    await chooseRole(provider.page, 'Einrichtung/Dienst');
    await provider.page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await provider.page.locator('#feld-lb_name').fill('Adler, Tom');
    const link = await invite(provider.page, 'caseworker', 'Herr Amt');

    const office = await device(browser);
    await office.page.goto(link);
    await office.page.locator('#feld-lb_name').waitFor({ timeout: 30_000 });
    await chooseRole(office.page, 'Leistungsträger');
    await office.page.getByLabel('Bereich', { exact: true }).selectOption({ label: 'Arbeit und Beschäftigung' });
    await office.page.getByLabel('Was hat gefehlt?').fill('Kein Zuverdienst-Platz in erreichbarer Nähe.');
    await office.page.locator('#hilfebaustein-eintragen').click();

    await provider.page
      .locator('section.missing-help .missing-help-item', { hasText: 'Kein Zuverdienst-Platz in erreichbarer Nähe.' })
      .waitFor({ timeout: 30_000 });
    await provider.page.locator('#als-uebermittelt').click();
    await office.page.locator('#bericht-stand').filter({ hasText: /^übermittelt$/ }).waitFor({ timeout: 30_000 });
    assert.match(await office.page.locator('#uebermittelt').textContent(), /eingetragen von: Einrichtung\/Dienst/);
    assert.deepEqual([...provider.errors, ...office.errors], []);
    await provider.context.close();
    await office.context.close();
  } finally {
    await relay.stop();
  }
});
