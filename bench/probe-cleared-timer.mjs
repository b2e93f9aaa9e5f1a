// Ad-hoc: what a scrape's deadline timer costs a Node process that sleeps between scrapes. A 1 s interval stands
// for the scrape; `clear` also sets a 900 ms timer from outside the timer phase (as a request handler does) and
// clears it at once (as a scrape that finished early does). Node 20 leaves libuv's timer armed for a cleared timer,
// so the process still wakes at 900 ms: one more wakeup per "scrape". Prints wakeups (voluntary context switches)
// and CPU of the main thread per second.
// Usage: node bench/probe-cleared-timer.mjs none & node bench/probe-cleared-timer.mjs clear; wait
import { readFileSync } from 'node:fs';

const status = () => readFileSync(`/proc/self/task/${process.pid}/status`, 'latin1');
const wakeups = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status())?.[1]);
const cpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
const mode = process.argv[2] ?? 'none';
const seconds = Number(process.argv[3] ?? 10);
let i = 0;
let w0 = 0;
let c0 = 0;
const t = setInterval(() => {
  if (i === 1) {
    w0 = wakeups();
    c0 = cpuMs();
  }
  if (mode === 'clear') setImmediate(() => clearTimeout(setTimeout(() => {}, 900)));
  if (++i === seconds + 2) {
    clearInterval(t);
    const w = ((wakeups() - w0) / seconds).toFixed(2);
    console.log(`${mode}: wakeups/s ${w}, main-thread CPU ms/s ${((cpuMs() - c0) / seconds).toFixed(3)}`);
  }
}, 1000);
