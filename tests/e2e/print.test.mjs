// Print and PDF: every form as the paper form, printed to PDF by headless Chromium and read
// back: the values, the goals table with its legends, the signature lines, the footer with
// name and period and "Seite n von m" on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launch, device, axe } from './lib/browser.mjs';
import { pdfPages, pdfRuns } from './lib/pdf.mjs';
import { openApp, waitSaved, chooseRole, fillField, fillGoals } from './lib/app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const template = (id) =>
  JSON.parse(readFileSync(path.join(root, `crates/model/templates/${id}.json`), 'utf8'));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Words of `labels` that a line break split inside the word ("Zielerrei" | "chung"): a run
/// ending with the word's start and the next run, on a lower line, going on with the rest.
/// A break after a hyphen that is part of the word ("Nicht-" | "Erreichung") is how the
/// form itself breaks and is allowed.
function brokenWords(pages, labels) {
  const words = [...new Set(labels.flatMap((l) => l.split(/\s+/)).filter((w) => w.length >= 4))];
  const broken = [];
  for (const runs of pages) {
    for (let i = 0; i + 1 < runs.length; i++) {
      const [a, b] = [runs[i].str.trimEnd(), runs[i + 1].str.trimStart()];
      if (Math.abs(runs[i].y - runs[i + 1].y) < 1) continue;
      for (const w of words) {
        for (let k = 2; k <= w.length - 2; k++) {
          if (w[k - 1] === '-') continue;
          const [head, tail] = [w.slice(0, k), w.slice(k)];
          const ends = [head, `${head}-`, `${head}\u00ad`].some((h) => a.endsWith(h));
          if (ends && b.startsWith(tail)) broken.push(`${a} | ${b}`);
        }
      }
    }
  }
  return broken;
}

/// Seed 000's Vordruck, top to bottom: every heading, question, hint and column heading.
const VORDRUCK = [
  'Allgemeine Angaben',
  'Angaben zum Leistungsberechtigten (LB)', 'Name, Vorname', 'Geburtsdatum', 'Anschrift',
  'Angaben zur Einrichtung/Dienst', 'Name und Anschrift', 'Ansprechpartner/in der Einrichtung/im Dienst',
  'Erreichbar unter Tel.', 'E-Mail',
  'Angaben zum Ergebnisbericht', 'Gesamtplan des Leistungsträgers vom',
  'Berichtszeitraum des Ergebnisberichts', 'von', 'bis', 'Der Ergebnisbericht wurde erstellt von',
  'Unterschrift/Datum Leistungserbringer', 'Unterschrift/Datum des/der Leiter/in',
  'Unterschrift/Datum des Leistungsberechtigten', 'Unterschrift/Datum des rechtlichen Betreuers',
  'Ergebnisbericht',
  'Entwicklung und Veränderungen des Leistungsberechtigten',
  'Wie haben sich die Beeinträchtigungen verändert? Wie haben sich die Ressourcen verändert?',
  '(z. B. in den Bereichen Selbstversorgung, alltägliche Lebensführung, Kommunikation, Mobilität, Orientierung, Gesundheitsfürsorge, soziale Integration, Freizeitgestaltung)',
  'Wünsche und Vorstellungen des Leistungsberechtigten',
  'Anmerkungen der Einrichtung/Dienst (z. B. personen- oder umfeldbezogen, …)',
  'Ziele und Maßnahmen',
  'Die Ziele von Gesamtplan und Ergebnisbericht sind identisch und liegen vor.',
  'Zielerreichung:', '(1) Verschlechterung', '(2) nicht erreicht', '(3) teilweise erreicht',
  '(4) weitgehend erreicht', '(5) völlig erreicht oder übertroffen',
  'Grund bei Nichterreichung der Ziele:', '(1) Ziele nicht mehr relevant',
  '(2) Änderung der Bedarfslage/Rahmenbedingungen', '(3) Fehlende Mitwirkung Leistungsberechtigte(r)',
  '(4) Ziele unklar formuliert (bspw. nicht realistisch)', '(5) Maßnahme/Leistung dem Einzelfall nicht gerecht werden',
  '(6) Sonstiges',
  'Nr.', 'Nennung der Ziele', 'Zielerreichung', 'Grund bei Nicht-Erreichung', 'Maßnahmen',
  'Anmerkungen zu Zielerreichung (zu Nr. 1 ff)',
];

/// Seed 002's Erwartungsbogen and Feedbackbogen, top to bottom (what the test's report shows:
/// the Feedbackbogen's result and signatures are shown for a regular ending).
const SEED_002 = {
  'goettingen-erwartungsbogen': [
    'Erwartungsbogen für die Nutzung des Angebots', 'Projektname', 'Träger', 'Teilnahmezeitraum',
    'Individuelle Formulierung der Erwartungen des eLb',
    'Bitte formulieren Sie präzise mit den Worten des eLb (O-Ton), mit welchen Erwartungen er das Angebot nutzen möchte. Bitte orientieren Sie sich dabei an den folgenden Fragen:',
    'Welche Erwartungen hat der eLb an das Angebot? (z.B. ein konkretes Ziel oder einzelne Schritte, ggf. eine Priorisierung einzelner Schritte)',
    'Bis wann soll das Erwartete erreicht werden?',
    'Fallinformationen', 'Anspruch auf Fahrkosten', '☐ ja', '☐ nein',
    'Gesetzliche Betreuung vorhanden', '☐ ja (siehe beigefügte Betreuungsurkunde)', '☐ nein',
    'Name', 'Vorname', 'Geschlecht', 'Anschrift', 'Geburtsdatum', 'Telefon', 'E-Mail',
  ],
  'goettingen-feedbackbogen': [
    'Feedbackbogen', 'Auftragnehmer und Maßnahme', 'Träger', 'Teilnahme', 'Name', 'Vorname',
    'Anlass', 'Nichtantritt eLb (Vorlagefrist: sofort, spätestens aber innerhalb einer Woche nach dem Ereignis)',
    'Nachfolgende Angaben entfallen!', 'Abbruch (Vorlagefrist',
    'Regulärer Abschluss des Angebotes (Erstellung: Spätestens am letzten Tag der individuellen Teilnahme)',
    '☐ Nichtantritt eLb', '☐ Abbruch', '☒ Regulärer Abschluss des Angebotes',
    'Ergebnis des Angebotes (Bitte gemeinsam mit dem eLb ausfüllen und nach Möglichkeit im O-Ton des eLb)',
    'Individuelle Erwartung des eLb (Hier bitte die Inhalte aus Erwartungsbogen einfügen)',
    'Haben sich meine Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) während der Teilnahme geändert – wenn ja in welche Richtung?',
    'Welche meiner selbst gesetzten Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) habe ich erreicht?',
    'Wodurch habe ich die Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) erreicht?',
    'Welche meiner selbst gesetzten Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) habe ich nicht erreicht?',
    'Warum habe ich meine Erwartungen nicht erreicht? (Was sind die Ursachen dafür?)',
    'Welche meiner Ressourcen habe ich (weiter-)entwickeln können?',
    'Was will ich nach der Teilnahme an dem Angebot machen?',
    'Erstellt am', 'Unterschrift Teilnehmer*in', 'Unterschrift Mitarbeiter*in Träger',
  ],
};

/// The first of `texts` (in order) not found after the one before it, or null.
function outOfOrder(all, texts) {
  const flat = all.replace(/\s+/g, '');
  let at = 0;
  for (const t of texts) {
    const i = flat.indexOf(t.replace(/\s+/g, ''), at);
    if (i < 0) return t;
    at = i + 1;
  }
  return null;
}

const squash = (s) => s.replace(/\s+/g, ' ').trim();
/// Whether `text` is in the PDF's text, wherever lines or cells broke it.
const has = (all, text) => all.replace(/\s+/g, '').includes(text.replace(/\s+/g, ''));
const roleFor = { provider: 'Einrichtung/Dienst', beneficiary: 'Leistungsberechtigte Person', guardian: 'Rechtliche Betreuung', caseworker: 'Leistungsträger' };

async function printToPdf(page) {
  await page.locator('#druckansicht').click();
  await page.locator('article.printout').waitFor();
  assert.deepEqual(await axe(page), [], 'the print view has no accessibility violations');
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  if (process.env.PRINT_PDF_DIR) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(process.env.PRINT_PDF_DIR, `${Date.now()}.pdf`), pdf);
  }
  return pdf;
}

test('the KVJS Ergebnisbericht prints as the Vordruck of seed 000, every value on it', async () => {
  const { page, errors } = await device(browser);
  await openApp(page);
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').waitFor();
  const t = template('kvjs-ergebnisbericht');
  const filled = {};
  let n = 0;
  for (const field of t.sections.flatMap((s) => s.fields)) {
    if (field.kind === 'goals' || field.kind === 'signature') continue;
    filled[field.id] = await fillField(page, field, n++);
  }
  const goals = await fillGoals(page);
  await fillField(page, t.sections.flatMap((s) => s.fields).find((f) => f.id === 'unterschrift_leistungserbringer'), 99);
  await chooseRole(page, 'Einrichtung/Dienst');
  await waitSaved(page);

  const pdf = await printToPdf(page);
  const pages = await pdfPages(pdf);
  const all = pages.join(' ');
  assert.ok(pages.length >= 2, `${pages.length} pages`);
  // The Vordruck's order, and no heading broken inside a word (the check itself sees a break).
  assert.deepEqual(brokenWords([[{ str: 'Zielerrei', y: 20 }, { str: 'chung', y: 10 }]], ['Zielerreichung']), ['Zielerrei | chung']);
  assert.equal(outOfOrder(all, VORDRUCK), null, 'every heading, question, hint and column of seed 000 in its order');
  assert.deepEqual(brokenWords(await pdfRuns(pdf), VORDRUCK), [], 'no heading breaks inside a word');
  // Which template made it is small print in the footer, not a line under the title.
  assert.doesNotMatch(await page.locator('.print-head').innerText(), /Vorlage|Fassung/);
  assert.ok(has(all, `Vorlage kvjs-ergebnisbericht · Fassung ${template('kvjs-ergebnisbericht').version}`));
  pages.forEach((text, i) => {
    assert.match(text, new RegExp(`Seite ${i + 1} von ${pages.length}`), `page number on page ${i + 1}`);
    assert.ok(has(text, `${filled.lb_name} · 01.01.2025 – 31.12.2025`), `name and period in the footer of page ${i + 1}`);
  });
  assert.ok(has(all, t.name));
  for (const section of t.sections) {
    const onPaper = t.paper?.sections?.[section.id]?.title ?? section.title;
    if (onPaper !== '') assert.ok(has(all, squash(onPaper)), onPaper);
  }
  for (const [id, v] of Object.entries(filled)) {
    const field = t.sections.flatMap((s) => s.fields).find((f) => f.id === id);
    if (typeof v === 'string' && field.kind !== 'choice' && field.kind !== 'date') {
      for (const line of v.split('\n')) assert.ok(has(all, squash(line)), `${id}: ${line}`);
    }
  }
  assert.ok(has(all, '17.05.1990'), 'the date of birth as on paper');
  for (const g of goals) {
    assert.ok(has(all, g.text), g.text);
    assert.ok(has(all, g.measures), g.measures);
  }
  // The legends of the scale and the reasons, with the form's wording.
  for (const list of ['zielerreichung', 'grund']) {
    for (const c of t.code_lists[list].codes) assert.ok(has(all, `(${c.code}) ${c.label}`), c.label);
  }
  assert.ok(has(all, 'Unterschrift 99 (Einrichtung/Dienst)'), 'the signed line names the signer');
  assert.ok(has(all, 'gültig'));
  assert.ok(has(all, 'nicht unterschrieben'), 'the open lines are there to sign on paper');
  assert.deepEqual(errors, []);
});

test('the other forms print with their own sections and labels', async () => {
  const { page, errors } = await device(browser);
  for (const id of ['goettingen-erwartungsbogen', 'goettingen-feedbackbogen', 'hamburg-wille-ressourcen']) {
    const t = template(id);
    await openApp(page);
    const first = t.sections[0].fields.find((f) => f.kind === 'short_text');
    await chooseRole(page, roleFor[first.editors[0]]);
    await page.getByRole('radio', { name: t.name, exact: true }).check();
    await page.getByRole('button', { name: 'Neuer Bericht' }).click();
    await page.locator(`#feld-${first.id}`).fill('Beispiel');
    if (id === 'goettingen-feedbackbogen') {
      await chooseRole(page, 'Einrichtung/Dienst');
      await page.locator('#feld-anlass').selectOption({ label: 'Regulärer Abschluss des Angebotes' });
    }
    await waitSaved(page);
    const pdf = await printToPdf(page);
    const all = (await pdfPages(pdf)).join(' ');
    assert.ok(has(all, t.name), t.name);
    assert.match(all, /Seite 1 von \d/);
    if (SEED_002[id]) {
      assert.equal(outOfOrder(all, SEED_002[id]), null, `${id}: seed 002's form in its order`);
      assert.deepEqual(brokenWords(await pdfRuns(pdf), SEED_002[id]), [], `${id}: no label breaks inside a word`);
    }
    for (const section of t.sections) {
      const onPaper = t.paper?.sections?.[section.id]?.title ?? section.title;
      if (onPaper !== '') assert.ok(has(all, squash(onPaper)), `${id}: ${onPaper}`);
      for (const field of section.fields) {
        if (field.shown_when) continue; // its condition does not hold in this report
        assert.ok(has(all, squash(field.label)), `${id}: ${field.label}`);
      }
    }
  }
  assert.deepEqual(errors, []);
});
