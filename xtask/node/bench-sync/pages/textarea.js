// What both comparison pages share: the field, the diff of a local input into one splice, and
// showing remote text by setting the textarea's `value` (as the Dreieck app does).

export const field = document.getElementById('feld-wuensche');
export const params = new URLSearchParams(location.search);

/// The one splice that turns `before` into `after`: [position, deleted count, inserted text].
export function diff(before, after) {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  return [start, endB - start, after.slice(start, endA)];
}

/// Shows `text` in the field unless it already does, keeping the caret where it was.
export function show(text) {
  if (field.value === text) return;
  const focused = document.activeElement === field;
  const [s, e] = [field.selectionStart, field.selectionEnd];
  field.value = text;
  if (focused) field.setSelectionRange(s, e);
}

export function setStatus(state) {
  const el = document.querySelector('.sync-status');
  el.dataset.state = state;
  el.textContent = state;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/// The history variant's edits, one character at a time through the page's own splice:
/// `inserts` appended characters, then `deletes` removals at the end.
export async function fill(splice, length, inserts, deletes) {
  for (let i = 0; i < inserts; i++) {
    splice(length(), 0, String.fromCharCode(65 + (i % 26)));
    if (i % 500 === 499) await tick();
  }
  for (let i = 0; i < deletes; i++) {
    splice(length() - 1, 1, '');
    if (i % 500 === 499) await tick();
  }
}
