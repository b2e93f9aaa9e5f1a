/**
 * Text from a server or a file, made safe to print on a terminal: every C0 control (tab and newline included: a
 * forged line is as misleading as a cleared screen), DEL, every C1 control (U+0080–U+009F: 0x9b is a one-byte CSI
 * on some terminals) and the bidirectional overrides that reorder what is shown (U+202A–U+202E, U+2066–U+2069) are
 * written out as escapes, `\x1b` or `\u202e`. Everything else, other Unicode included, is kept. A backslash is
 * kept as it is, so a literal `\x1b` in the text and an ESC byte print alike: reversible enough for evidence, not
 * an encoding (JSON output keeps the exact text).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with its control characters shown as escapes; pure. */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * JSON text with DEL, the C1 controls and the bidirectional overrides written as `\u` escapes. JSON.stringify
 * escapes C0 (ESC becomes `\u001b`) but leaves these raw; they can only stand inside strings, so escaping them
 * keeps the value exact while a `cat` of the report can neither run them nor reorder what it shows.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
