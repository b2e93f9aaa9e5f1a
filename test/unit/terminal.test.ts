import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeJsonControls, neutralise } from '../../src/text/terminal.ts';

describe('neutralise', () => {
  test('C0 controls (a lone ESC, CR, LF, TAB, NUL), DEL and C1 controls are shown as \\x escapes', () => {
    assert.equal(neutralise('\x1b[2J\x1b[Hok'), '\\x1b[2J\\x1b[Hok');
    assert.equal(neutralise('a\x1bb'), 'a\\x1bb');
    assert.equal(neutralise('a\r\nb\tc\x00d\x07'), 'a\\x0d\\x0ab\\x09c\\x00d\\x07');
    assert.equal(neutralise('x\x7fy'), 'x\\x7fy');
    assert.equal(neutralise('\u009b2J\u0085\u0080\u009f'), '\\x9b2J\\x85\\x80\\x9f');
  });

  test('bidirectional overrides are shown as \\u escapes', () => {
    assert.equal(neutralise('user\u202eevil\u2066'), 'user\\u202eevil\\u2066');
  });

  test('printable text, other Unicode and backslashes are kept as they are', () => {
    const text = 'café 日本 😀 C:\\dir ~app:* %R~x &* +@all "quoted" \u00a0nbsp';
    assert.equal(neutralise(text), text);
    assert.equal(neutralise(''), '');
  });

  test('every code point below 0x20, 0x7f..0x9f is escaped; nothing else in 0..0x2fff is', () => {
    for (let c = 0; c < 0x3000; c++) {
      const s = String.fromCharCode(c);
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const control =
        c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
      assert.equal(neutralise(s) !== s, control, `U+${c.toString(16)}`);
      if (control) assert.ok([...neutralise(s)].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) < 0x7f));
    }
  });
});

describe('escapeJsonControls', () => {
  test('DEL and C1 become \\u escapes; the parsed value is unchanged; C0 was already escaped by JSON', () => {
    const value = { user: 'x\x1b[2J\u009b2J\x7fy', ok: 'café' };
    const json = escapeJsonControls(JSON.stringify(value));
    assert.equal(json, '{"user":"x\\u001b[2J\\u009b2J\\u007fy","ok":"café"}');
    assert.deepEqual(JSON.parse(json), value);
    assert.ok(
      [...json].every((ch) => ch.charCodeAt(0) >= 0x20 && (ch.charCodeAt(0) < 0x7f || ch.charCodeAt(0) > 0x9f)),
    );
  });

  test('bidirectional overrides (a user named to reorder what cat shows) become \\u escapes too', () => {
    const value = { user: 'admin\u202e\u2066txt.exe', ok: 'naïve' };
    const json = escapeJsonControls(JSON.stringify(value));
    assert.equal(json, '{"user":"admin\\u202e\\u2066txt.exe","ok":"naïve"}');
    assert.deepEqual(JSON.parse(json), value);
  });
});
