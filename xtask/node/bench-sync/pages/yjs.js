// Comparison page: Yjs. The field is bound to a Y.Text, synced by y-websocket.
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { diff, field, fill, params, setStatus, show } from './textarea.js';

const doc = new Y.Doc();
const text = doc.getText('wuensche');
const provider = new WebsocketProvider(params.get('ws'), params.get('room'), doc, { disableBc: true });
const LOCAL = 'textarea';

function splice(pos, del, ins) {
  doc.transact(() => {
    if (del) text.delete(pos, del);
    if (ins) text.insert(pos, ins);
  }, LOCAL);
}

field.addEventListener('input', () => {
  const [pos, del, ins] = diff(text.toString(), field.value);
  if (del || ins) splice(pos, del, ins);
});
text.observe((_event, tr) => {
  if (tr.origin !== LOCAL) show(text.toString());
});

const ready = new Promise((resolve) => {
  const done = (synced) => {
    if (!synced) return;
    setStatus('synchron');
    show(text.toString());
    resolve(true);
  };
  if (provider.synced) done(true);
  else provider.on('sync', done);
});

window.bench = {
  ready,
  length: () => text.length,
  fill: async (inserts, deletes) => {
    await fill(splice, () => text.length, inserts, deletes);
    show(text.toString());
  },
};
