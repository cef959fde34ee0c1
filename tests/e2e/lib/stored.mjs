// What a device keeps, as the page's own scripts can read it: the tests that promise
// nothing readable is left (device lock, deletion) look here.

/// Everything stored on the device, as the page's own scripts can read it: every localStorage
/// value and every IndexedDB record (bytes decoded one to one, so any ASCII word shows).
export async function storedEverything(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const k of Object.keys(localStorage)) out.push(`${k}=${localStorage.getItem(k)}`);
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('dreieck');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const latin1 = new TextDecoder('latin1');
    for (const name of db.objectStoreNames) {
      const values = await new Promise((resolve, reject) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const v of values) {
        if (typeof v === 'string') out.push(`${name}:${v}`);
        else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) out.push(`${name}:${latin1.decode(v)}`);
        else out.push(`${name}:${JSON.stringify(v)}`);
      }
    }
    db.close();
    return out.join('\n');
  });
}

/// How many records each IndexedDB object store holds.
export async function recordCounts(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('dreieck');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const counts = {};
    for (const name of db.objectStoreNames) {
      counts[name] = await new Promise((resolve, reject) => {
        const r = db.transaction(name).objectStore(name).count();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    db.close();
    return counts;
  });
}
