/**
 * Alertmanager's alert fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the label names
 * sorted, each name and value followed by the separator byte 0xff; printed as 16 hex digits. Receivers use it to
 * recognise the same alert across notifications, so it must match what a real Alertmanager sends.
 */
import type { Labels } from '../../../promql/types.ts';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

function add(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  return h;
}

const SEPARATOR = Uint8Array.of(0xff);

export function fingerprint(labels: Labels): string {
  let h = OFFSET;
  for (const name of Object.keys(labels).sort()) {
    h = add(h, Buffer.from(name, 'utf8'));
    h = add(h, SEPARATOR);
    h = add(h, Buffer.from(labels[name], 'utf8'));
    h = add(h, SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}
