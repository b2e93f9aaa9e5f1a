import { createHash } from 'node:crypto';
import { type EncryptionKey, encrypter } from './keys.ts';
import { SealedFile } from './sealed-file.ts';

const WRITE_BATCH = 1024 * 1024;

export interface SealedBackup {
  plaintextBytes: number;
  sha256: string;
  encryptedBytes: number;
}

/**
 * Encrypts a plaintext stream with age into `path` as it arrives, and publishes the file only when the source
 * finished without error (the source throws when verification fails): a failure anywhere leaves nothing under
 * `path`. Backpressure is end to end: the source is pulled only as fast as the file is written.
 */
export async function encryptToFile(
  source: AsyncIterable<Buffer>,
  key: EncryptionKey,
  path: string,
): Promise<SealedBackup> {
  const hash = createHash('sha256');
  let plaintextBytes = 0;
  const iterator = source[Symbol.asyncIterator]();
  const plain = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await iterator.next();
      if (r.done) controller.close();
      else {
        hash.update(r.value);
        plaintextBytes += r.value.length;
        controller.enqueue(r.value);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  const file = await SealedFile.create(path, 0o600);
  let encryptedBytes = 0;
  try {
    const cipher = await encrypter(key).encrypt(plain);
    // age hands out 64 KiB chunks; write them in larger batches (one system call per MiB, not per chunk).
    let batch: Uint8Array[] = [];
    let batched = 0;
    for await (const chunk of cipher as unknown as AsyncIterable<Uint8Array>) {
      batch.push(chunk);
      batched += chunk.length;
      encryptedBytes += chunk.length;
      if (batched >= WRITE_BATCH) {
        await file.write(Buffer.concat(batch, batched));
        batch = [];
        batched = 0;
      }
    }
    if (batched > 0) await file.write(Buffer.concat(batch, batched));
  } catch (err) {
    await file.discard();
    await iterator.return?.().catch(() => {});
    throw err;
  }
  await file.seal();
  return { plaintextBytes, sha256: hash.digest('hex'), encryptedBytes };
}
