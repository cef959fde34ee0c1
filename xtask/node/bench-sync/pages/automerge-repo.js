// Comparison page: automerge-repo 2. The field is a string in an Automerge document, changed
// with Automerge's splice on input, synced through the WebSocket adapter with the sync server.
import { Repo, initializeBase64Wasm, isValidAutomergeUrl, splice as amSplice } from '@automerge/automerge-repo/slim';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64';
import { diff, field, fill, params, setStatus, show } from './textarea.js';

await initializeBase64Wasm(automergeWasmBase64);

const repo = new Repo({ network: [new WebSocketClientAdapter(params.get('ws'))] });

async function open() {
  const url = params.get('doc');
  if (!url) return repo.create({ text: '' });
  if (!isValidAutomergeUrl(url)) throw new Error(`not an automerge URL: ${url}`);
  // The server may not have the document the moment A created it: ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await repo.find(url);
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

await repo.networkSubsystem.whenReady();
const handle = await open();
const current = () => handle.doc().text;

function splice(pos, del, ins) {
  handle.change((d) => amSplice(d, ['text'], pos, del, ins));
}

field.addEventListener('input', () => {
  const [pos, del, ins] = diff(current(), field.value);
  if (del || ins) splice(pos, del, ins);
});
// Local changes leave the field as it is (show() compares), remote ones are shown.
handle.on('change', ({ doc }) => show(doc.text));
show(current());
setStatus('synchron');

window.bench = {
  ready: Promise.resolve(true),
  url: handle.url,
  length: () => current().length,
  fill: async (inserts, deletes) => {
    await fill(splice, () => current().length, inserts, deletes);
    show(current());
  },
};
