export async function runRestore(): Promise<number> {
  return 2;
}
