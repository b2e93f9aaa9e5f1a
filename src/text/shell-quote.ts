/**
 * A word for a POSIX shell, as the user will paste it: left bare when it holds only characters no shell treats
 * specially, otherwise in single quotes (inside which nothing is special; a single quote itself becomes '\'').
 * Printed commands quote every value that comes from a user's file, flag or path, so a host name such as
 * `a$(touch x).example.com` is text, never a command.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
