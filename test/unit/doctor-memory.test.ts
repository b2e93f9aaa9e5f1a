import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnoseBigKeys, largest } from '../../src/doctor/big-keys.ts';
import { copyOnWriteEstimate, diagnoseForkHeadroom } from '../../src/doctor/fork-headroom.ts';
import { diagnoseFragmentation } from '../../src/doctor/fragmentation.ts';
import { type MemoryFacts, memoryFacts } from '../../src/doctor/memory-facts.ts';
import { diagnoseMemoryLimit } from '../../src/doctor/memory-limit.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function facts(over: Partial<MemoryFacts> = {}): MemoryFacts {
  return {
    usedMemory: 100 * MiB,
    usedMemoryRss: 110 * MiB,
    maxmemory: 1 * GiB,
    policy: 'allkeys-lru',
    fragmentationRatio: 1.1,
    fragmentationBytes: 10 * MiB,
    activeDefrag: 'no',
    activeDefragRunning: 0,
    totalSystemMemory: 8 * GiB,
    keys: 1000,
    keysWithTtl: 0,
    evictedKeys: 0,
    lastCowBytes: 0,
    processId: 1,
    ...over,
  };
}

describe('doctor: memory against maxmemory and the policy', () => {
  test('memoryFacts reads INFO (and CONFIG when readable)', () => {
    const info = new Map([
      ['used_memory', '1000'],
      ['used_memory_rss', '3000'],
      ['maxmemory', '5000'],
      ['maxmemory_policy', 'noeviction'],
      ['mem_fragmentation_ratio', '3.00'],
      ['mem_fragmentation_bytes', '2000'],
      ['db0', 'keys=10,expires=7,avg_ttl=0'],
      ['db3', 'keys=5,expires=1,avg_ttl=0'],
      ['rdb_last_cow_size', '4096'],
    ]);
    const m = memoryFacts(info, new Map([['activedefrag', 'yes']]));
    assert.equal(m.maxmemory, 5000);
    assert.equal(m.policy, 'noeviction');
    assert.equal(m.keys, 15);
    assert.equal(m.keysWithTtl, 8);
    assert.equal(m.activeDefrag, 'yes');
    assert.equal(m.lastCowBytes, 4096);
    assert.equal(memoryFacts(info, new Map([['maxmemory', '9000']])).maxmemory, 9000);
  });

  test('maxmemory 0 (a stock server): advice, with a limit to set, sized from the host', () => {
    const [f] = diagnoseMemoryLimit('t', facts({ maxmemory: 0 }));
    assert.equal(f.status, 'advice');
    assert.match(f.summary, /no maxmemory/);
    assert.match(f.fix ?? '', /CONFIG SET maxmemory .*4\.8 GiB, 60% of this host's 8 GiB/);
  });

  test('near the limit with noeviction: writes will fail (fail); with eviction: evicting (warn); below: ok', () => {
    const full = diagnoseMemoryLimit('t', facts({ usedMemory: 950 * MiB, policy: 'noeviction' }))[0];
    assert.equal(full.status, 'fail');
    assert.match(full.summary, /92\.8%.*OOM command not allowed/);
    const evicting = diagnoseMemoryLimit('t', facts({ usedMemory: 950 * MiB, evictedKeys: 42 }))[0];
    assert.equal(evicting.status, 'warn');
    assert.match(evicting.summary, /42 evicted/);
    assert.equal(diagnoseMemoryLimit('t', facts())[0].status, 'ok');
  });

  test('a cache-like workload (most keys with a TTL) under noeviction', () => {
    const out = diagnoseMemoryLimit('t', facts({ policy: 'noeviction', keys: 100, keysWithTtl: 80 }));
    const p = out.find((f) => f.check === 'memory-policy');
    assert.equal(p?.status, 'advice');
    assert.match(p?.fix ?? '', /volatile-lru/);
    assert.equal(diagnoseMemoryLimit('t', facts({ policy: 'noeviction', keys: 100, keysWithTtl: 10 })).length, 1);
  });
});

describe('doctor: fragmentation', () => {
  test('fragmented with absolute bytes; the fix depends on active defrag', () => {
    const off = diagnoseFragmentation(
      't',
      facts({ fragmentationRatio: 2.1, fragmentationBytes: 500 * MiB, usedMemoryRss: 1000 * MiB }),
    );
    assert.equal(off.status, 'warn');
    assert.match(off.summary, /ratio 2\.10: RSS 1000 MiB for 100 MiB used, 500 MiB fragmented; active defrag off/);
    assert.match(off.fix ?? '', /CONFIG SET activedefrag yes/);
    const on = diagnoseFragmentation(
      't',
      facts({ fragmentationRatio: 2.1, fragmentationBytes: 500 * MiB, activeDefrag: 'yes', activeDefragRunning: 1 }),
    );
    assert.match(on.summary, /active defrag on, running/);
    assert.match(on.fix ?? '', /reclaiming/);
  });

  test('a high ratio on a small data set is ok (a few MB are not worth acting on)', () => {
    assert.equal(
      diagnoseFragmentation('t', facts({ fragmentationRatio: 7, fragmentationBytes: 6 * MiB })).status,
      'ok',
    );
  });

  test('RSS below used memory: swapping', () => {
    const f = diagnoseFragmentation('t', facts({ fragmentationRatio: 0.6, usedMemoryRss: 60 * MiB }));
    assert.equal(f.status, 'warn');
    assert.match(f.summary, /swapped out/);
  });

  test('CONFIG not readable: active defrag unknown, said so', () => {
    const { activeDefrag: _, ...rest } = facts();
    assert.match(diagnoseFragmentation('t', rest as MemoryFacts).summary, /active defrag unknown/);
  });
});

describe('doctor: fork headroom for BGSAVE and backups', () => {
  test('the copy-on-write estimate: the last fork, else the worst case', () => {
    assert.deepEqual(copyOnWriteEstimate(facts({ lastCowBytes: 5 * MiB })).bytes, 5 * MiB);
    assert.equal(copyOnWriteEstimate(facts()).bytes, 100 * MiB);
  });

  test('local: against MemAvailable, and overcommit_memory', () => {
    const ok = diagnoseForkHeadroom('t', facts(), { availableBytes: 2 * GiB, overcommit: 1 });
    assert.deepEqual(
      ok.map((f) => f.status),
      ['ok', 'ok'],
    );
    const tight = diagnoseForkHeadroom('t', facts(), { availableBytes: 50 * MiB, overcommit: 0 });
    assert.deepEqual(
      tight.map((f) => f.status),
      ['warn', 'warn'],
    );
    assert.match(tight[0].summary, /only 50 MiB available/);
    assert.match(tight[1].fix ?? '', /sysctl vm\.overcommit_memory=1/);
    // With room for the fork, overcommit 0 (the kernel's default) is advice: it does not change the exit code.
    const roomy = diagnoseForkHeadroom('t', facts(), { availableBytes: 2 * GiB, overcommit: 0 });
    assert.deepEqual(
      roomy.map((f) => f.status),
      ['ok', 'advice'],
    );
  });

  test('remote: against maxmemory, or not judged without one', () => {
    assert.equal(diagnoseForkHeadroom('t', facts(), undefined)[0].status, 'ok');
    const over = diagnoseForkHeadroom('t', facts({ usedMemory: 700 * MiB }), undefined)[0];
    assert.equal(over.status, 'warn');
    assert.match(over.summary, /more than maxmemory/);
    assert.equal(diagnoseForkHeadroom('t', facts({ maxmemory: 0 }), undefined)[0].status, 'info');
  });
});

describe('doctor: the biggest keys', () => {
  test('largest keeps the top five, biggest first', () => {
    const sizes = [1, 9, 3, 7, 5, 8, 2].map((b, i) => ({ key: `k${i}`, bytes: b }));
    assert.deepEqual(
      largest(sizes).map((k) => k.bytes),
      [9, 8, 7, 5, 3],
    );
  });

  test('a key holding a tenth of used memory is a warning; names are neutralised and cut', () => {
    const name = `evil\x1b[31m${'x'.repeat(200)}`;
    const f = diagnoseBigKeys(
      't',
      { sampled: 10, complete: true, biggest: [{ key: name, bytes: 20 * MiB }] },
      100 * MiB,
      10,
    );
    assert.equal(f.status, 'warn');
    assert.ok(!f.summary.includes('\x1b'));
    assert.match(f.summary, /evil\\x1b\[31mx+… 20 MiB/);
    assert.ok(f.summary.length < 400);
  });

  test('a sample that could not be taken is a note with the rules it needs', () => {
    const f = diagnoseBigKeys(
      't',
      {
        sampled: 0,
        complete: false,
        biggest: [],
        stopped: "NOPERM this user has no permissions to run the 'scan' command",
      },
      1,
      5,
    );
    assert.equal(f.status, 'info');
    assert.match(f.fix ?? '', /\+scan \+memory\|usage/);
  });
});
