/** The RDB format's constants (Redis src/rdb.h), as data. */

export const RDB_MIN_VERSION = 9;
export const RDB_MAX_VERSION = 12;

export const OP = {
  SLOT_INFO: 0xf4,
  FUNCTION_PRE_GA: 0xf5,
  FUNCTION2: 0xf6,
  MODULE_AUX: 0xf7,
  FREQ: 0xf8,
  IDLE: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

/** Value types: how each is laid out, for a walk that checks structure without loading values. */
export type ValueLayout =
  | 'string' // one string
  | 'strings' // a count, then that many strings
  | 'pairs' // a count, then pairs of strings
  | 'zset1' // a count, then (string, double as text)
  | 'zset2' // a count, then (string, 8-byte double)
  | 'quicklist2' // a count, then (container length, string)
  | 'module2'
  | 'stream';

export const VALUE_TYPES: Record<number, { name: string; layout: ValueLayout }> = {
  0: { name: 'string', layout: 'string' },
  1: { name: 'list', layout: 'strings' },
  2: { name: 'set', layout: 'strings' },
  3: { name: 'zset', layout: 'zset1' },
  4: { name: 'hash', layout: 'pairs' },
  5: { name: 'zset', layout: 'zset2' },
  7: { name: 'module', layout: 'module2' },
  9: { name: 'hash', layout: 'string' }, // zipmap
  10: { name: 'list', layout: 'string' }, // ziplist
  11: { name: 'set', layout: 'string' }, // intset
  12: { name: 'zset', layout: 'string' }, // ziplist
  13: { name: 'hash', layout: 'string' }, // ziplist
  14: { name: 'list', layout: 'strings' }, // quicklist of ziplists
  15: { name: 'stream', layout: 'stream' },
  16: { name: 'hash', layout: 'string' }, // listpack
  17: { name: 'zset', layout: 'string' }, // listpack
  18: { name: 'list', layout: 'quicklist2' },
  19: { name: 'stream', layout: 'stream' },
  20: { name: 'set', layout: 'string' }, // listpack
  21: { name: 'stream', layout: 'stream' },
};

/** Module value opcodes (RDB_MODULE_OPCODE_*). */
export const MODULE_OP = { EOF: 0, SINT: 1, UINT: 2, FLOAT: 3, DOUBLE: 4, STRING: 5 } as const;
