#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1
// The flag: a long-running exporter allocates a few hundred KB per scrape, and V8's default 16 MB young
// generation lets its RSS drift past 120 MB; 1 MB keeps it around 90 MB for a few percent more GC time.
// MALLOC_ARENA_MAX=1: one glibc malloc arena instead of one per thread (V8's compiler threads each kept theirs):
// 3-5 MB less RSS for the exporter at Prometheus's pace (bench/README.md, "Paced").
// (`node bin/redoubt.js` skips the shebang; run the file itself, or pass the flag, to get it.)
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);

let cli;
try {
  cli = await import(entry.href);
} catch (err) {
  // A checkout before `npm ci` (which builds dist/ through the prepare script) has no dist/: say so, not a trace.
  const file = fileURLToPath(entry);
  const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(file);
  if (!missing) throw err;
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`redoubt: redoubt is not built yet (no ${file}); run "npm ci" in ${root} first\n`);
  process.exit(2);
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`redoubt: ${err?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
