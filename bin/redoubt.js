#!/usr/bin/env -S node --max-semi-space-size=1
// The flag: a long-running exporter allocates a few hundred KB per scrape, and V8's default 16 MB young
// generation lets its RSS drift past 120 MB; 1 MB keeps it around 90 MB for a few percent more GC time.
// (`node bin/redoubt.js` skips the shebang; run the file itself, or pass the flag, to get it.)
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`redoubt: ${err?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
