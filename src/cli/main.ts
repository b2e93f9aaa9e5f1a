/** CLI entry: dispatches to one file per command. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`redoubt ${argv.join(' ')}\n`);
  return 0;
}
