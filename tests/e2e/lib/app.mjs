// How a person uses the app, in steps the tests share. Controls are found by their visible
// labels where a person would look, and by the element ids the views derive from the template's
// field ids where a test walks every field.
import assert from 'node:assert/strict';
import { baseUrl } from './browser.mjs';

export async function openApp(page) {
  await page.goto(baseUrl + '/');
  await page.getByRole('heading', { name: 'Berichte', level: 1 }).waitFor();
}

export async function newReport(page) {
  await page.getByRole('button', { name: 'Neuer Bericht' }).click();
  await page.locator('#feld-lb_name').waitFor();
}

/// Waits until the save state says everything is stored (in either language).
export async function waitSaved(page) {
  await page.locator('.save-status[data-state="saved"]').waitFor();
}

/// Chooses "Meine Rolle" by its standard name; in Leichte Sprache the names are plain, so the
/// choice goes by the role's value.
export async function chooseRole(page, label) {
  const value = Object.entries(roleFor).find(([, l]) => l === label)?.[0];
  await page.locator('#meine-rolle').selectOption(value ?? { label });
}

/// Value typed into field number `n` of the given kind; unique per field so a mix-up shows.
function textFor(field, n) {
  return field.kind === 'long_text'
    ? `Zeile eins für ${field.id} (${n}).\nZeile zwei: Ä Ö Ü ß – „Zitat“.`
    : `Eingabe ${n} für ${field.id}`;
}

function dateFor(n) {
  return `20${String(10 + (n % 15)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 10}`;
}

const roleFor = { provider: 'Einrichtung/Dienst', beneficiary: 'Leistungsberechtigte Person', guardian: 'Rechtliche Betreuung', caseworker: 'Leistungsträger' };

/// The fieldset of a signature line.
export function signatureLine(page, fieldId) {
  return page.locator(`.field-slot[data-field="${fieldId}"] fieldset.signature`);
}

/// Fills one field as a person with a role allowed to edit it; returns what a reader should see.
export async function fillField(page, field, n) {
  await chooseRole(page, roleFor[field.editors[0]]);
  const id = `#feld-${field.id}`;
  switch (field.kind) {
    case 'short_text':
    case 'long_text': {
      const v = textFor(field, n);
      await page.locator(id).fill(v);
      return v;
    }
    case 'date': {
      const v = field.birth_date ? '1990-05-17' : dateFor(n);
      await page.locator(id).fill(v);
      return v;
    }
    case 'date_range': {
      const v = { from: '2025-01-01', to: '2025-12-31' };
      await page.locator(`${id}-from`).fill(v.from);
      await page.locator(`${id}-to`).fill(v.to);
      return v;
    }
    case 'signature': {
      // Signed by typing the name (what a keyboard user does); signatures.test.mjs draws.
      const v = { name: `Unterschrift ${n}` };
      await page.locator(`${id}-name`).fill(v.name);
      await signatureLine(page, field.id).getByRole('button', { name: 'Unterschreiben' }).click();
      await page.locator(`${id}-signer`).waitFor();
      return v;
    }
    case 'choice': {
      const select = page.locator(id);
      const value = await select.locator('option').nth(1).getAttribute('value');
      await select.selectOption(value);
      return value;
    }
    default:
      throw new Error(`unknown kind ${field.kind}`);
  }
}

/// Reads every non-goal field back, in the same shape fillField returned.
export async function fieldValues(page, template) {
  await page.locator('#feld-lb_name').waitFor();
  const out = {};
  for (const section of template.sections) {
    for (const field of section.fields) {
      const id = `#feld-${field.id}`;
      switch (field.kind) {
        case 'goals': break;
        case 'date_range':
          out[field.id] = { from: await page.locator(`${id}-from`).inputValue(), to: await page.locator(`${id}-to`).inputValue() };
          break;
        case 'signature':
          out[field.id] = { name: await page.locator(`${id}-signer`).textContent() };
          break;
        default:
          out[field.id] = await page.locator(id).inputValue();
      }
    }
  }
  return out;
}

const goalCards = (page) => page.locator('.goal-card');

/// Adds three goals: one reached, one not reached (which asks for a reason), one partly.
export async function fillGoals(page) {
  await chooseRole(page, 'Einrichtung/Dienst');
  const plan = [
    { text: 'Selbstständig einkaufen gehen', measures: 'Wöchentliches Einkaufstraining mit Begleitung', achievement: '5', reason: null },
    { text: 'Mit dem Bus zur Arbeit fahren', measures: 'Fahrtraining, Fahrplan lesen üben', achievement: '2', reason: '2' },
    { text: 'Eine Freizeitgruppe finden', measures: 'Angebote im Stadtteil gemeinsam ansehen', achievement: '3', reason: '6' },
  ];
  for (const [i, goal] of plan.entries()) {
    await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
    const card = goalCards(page).nth(i);
    await card.getByLabel('Nennung des Ziels').fill(goal.text);
    await card.getByLabel('Maßnahme 1', { exact: true }).fill(goal.measures);
    const reason = card.getByLabel('Grund bei Nicht-Erreichung');
    await card.locator(`input[type=radio][name$="-erreichung"][value="${goal.achievement}"]`).check();
    if (goal.reason) {
      await reason.selectOption(goal.reason);
    } else {
      assert.equal(await reason.count(), 0, 'no reason is asked for a goal that was reached');
    }
  }
  return plan;
}

export async function goalValues(page) {
  const cards = goalCards(page);
  await cards.first().waitFor();
  const out = [];
  for (let i = 0; i < await cards.count(); i++) {
    const card = cards.nth(i);
    const reason = card.getByLabel('Grund bei Nicht-Erreichung');
    out.push({
      text: await card.getByLabel('Nennung des Ziels').inputValue(),
      measures: await card.getByLabel('Maßnahme 1', { exact: true }).inputValue(),
      achievement: await card.locator('input[type=radio][name$="-erreichung"]:checked').getAttribute('value'),
      reason: (await reason.count()) ? await reason.inputValue() : null,
    });
  }
  return out;
}

/// What field `id` shows on `page`.
export async function valueOf(page, id) {
  return page.locator(`#feld-${id}`).inputValue();
}

/// Waits until `id` shows the same value on every page and `check` accepts it; returns it.
export async function converged(pages, id, check) {
  const deadline = Date.now() + 30_000;
  let values;
  while (Date.now() < deadline) {
    values = await Promise.all(pages.map((p) => valueOf(p, id)));
    if (values.every((v) => v === values[0]) && check(values[0])) return values[0];
    await pages[0].waitForTimeout(50);
  }
  assert.fail(`#feld-${id} did not converge: ${JSON.stringify(values)}`);
}
