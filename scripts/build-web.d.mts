export const OVERVIEW_SCRIPT_BUDGET_BYTES: number;
export function buildWeb(
  outdir?: string,
  options?: { minify?: boolean },
): Promise<{ overviewScriptGzipBytes: number; loginScriptGzipBytes: number; files: string[] }>;
