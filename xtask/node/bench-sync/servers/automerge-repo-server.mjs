// An automerge-repo sync server as the official automerge-repo-sync-server sets one up: a Repo
// with the WebSocket server adapter, file-system storage in a directory, a share policy that
// announces nothing (it answers the documents peers ask for).
import http from 'node:http';
import os from 'node:os';
import { WebSocketServer } from 'ws';
import { Repo } from '@automerge/automerge-repo';
import { NodeWSServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3030);
const dir = process.env.DATA_DIR ?? '.amrg';

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('👍 automerge-repo sync server is running');
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

// Kept referenced for the life of the process.
globalThis.repo = new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `storage-server-${os.hostname()}`,
  sharePolicy: async () => false,
});

server.listen(port, host, () => console.log(`automerge-repo sync server on ${host}:${port}, data in ${dir}`));

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
