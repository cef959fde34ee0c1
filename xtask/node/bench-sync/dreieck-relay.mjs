// Dreieck with direct channels turned off on every device (`dreieck.direkt` = "aus"): every
// keystroke goes through the relay, for the same run's comparison with the direct path.
import * as dreieck from './dreieck.mjs';

export const name = 'dreieck-relay';
export const page = null;
export const startServer = dreieck.startServer;
export const storedBytes = dreieck.storedBytes;
export const prefill = dreieck.prefill;

export async function open(devices, server) {
  return dreieck.open(devices, server, { direct: false });
}
