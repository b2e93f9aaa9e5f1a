/**
 * What GitHub code scanning requires of an uploaded SARIF file, as a checker for the tests (the full SARIF 2.1.0
 * schema is too large to vendor, and code scanning asks for more than the schema does). From GitHub's "SARIF support
 * for code scanning" and the upload limits it documents, and the GitHub rules (GH10xx) of Microsoft's SARIF
 * validator:
 * - `$schema` and `version: "2.1.0"`; `runs` (at most 20), each with `tool.driver.name`;
 * - rules with unique ids, levels from none/note/warning/error, `security-severity` a number 0–10, ≤ 20 tags;
 * - every result (≤ 25,000 a run): a `ruleId` that names a rule in `tool.driver.rules` (and `ruleIndex`, when
 *   given, points at it), a valid `level`, a `message.text`, and 1–1000 `locations`, the first with
 *   `physicalLocation.artifactLocation.uri` — results without one are not shown;
 * - that uri is relative (with a `uriBaseId`, which `run.originalUriBaseIds` defines) or an absolute `file:` URI;
 *   relative ones never climb out with `..`; a region's `startLine` is an integer ≥ 1.
 * Returns every problem found; an empty list means code scanning accepts the file.
 */
export function githubSarifProblems(sarif: unknown): string[] {
  const problems: string[] = [];
  const p = (path: string, message: string) => problems.push(`${path}: ${message}`);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  const LEVELS = ['none', 'note', 'warning', 'error'];

  if (!isObject(sarif)) return ['/: not a JSON object'];
  if (sarif.version !== '2.1.0') p('/version', `must be "2.1.0", is ${JSON.stringify(sarif.version)}`);
  if (!nonEmpty(sarif.$schema) || !/^https?:\/\/\S+sarif[^/]*2\.1\.0[^/]*\.json$/i.test(sarif.$schema))
    p('/$schema', `must name the SARIF 2.1.0 schema, is ${JSON.stringify(sarif.$schema)}`);
  if (!Array.isArray(sarif.runs)) return [...problems, '/runs: must be an array'];
  if (sarif.runs.length > 20) p('/runs', `${sarif.runs.length} runs; code scanning takes at most 20`);

  for (const [r, run] of (sarif.runs as unknown[]).entries()) {
    const at = `/runs/${r}`;
    if (!isObject(run)) {
      p(at, 'must be an object');
      continue;
    }
    const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : undefined;
    if (!driver || !nonEmpty(driver.name)) p(`${at}/tool/driver/name`, 'is required');
    const rules = Array.isArray(driver?.rules) ? (driver.rules as unknown[]) : [];
    const ruleIds = new Set<string>();
    for (const [i, rule] of rules.entries()) {
      const rat = `${at}/tool/driver/rules/${i}`;
      if (!isObject(rule) || !nonEmpty(rule.id)) {
        p(rat, 'needs an id');
        continue;
      }
      if (ruleIds.has(rule.id)) p(rat, `duplicate rule id ${rule.id}`);
      ruleIds.add(rule.id);
      const level = isObject(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined;
      if (level !== undefined && !LEVELS.includes(String(level))) p(`${rat}/defaultConfiguration/level`, String(level));
      const props = isObject(rule.properties) ? rule.properties : {};
      const sev = props['security-severity'];
      if (sev !== undefined && !(Number(sev) >= 0 && Number(sev) <= 10 && String(sev).trim() !== ''))
        p(`${rat}/properties/security-severity`, `must be a number 0-10, is ${JSON.stringify(sev)}`);
      if (Array.isArray(props.tags) && props.tags.length > 20) p(`${rat}/properties/tags`, 'more than 20 tags');
    }

    const bases = isObject(run.originalUriBaseIds) ? run.originalUriBaseIds : {};
    for (const [id, base] of Object.entries(bases)) {
      const uri = isObject(base) ? base.uri : undefined;
      if (uri !== undefined && !(typeof uri === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(uri) && uri.endsWith('/')))
        p(`${at}/originalUriBaseIds/${id}/uri`, `must be absent or an absolute URI ending in "/", is ${uri}`);
    }

    if (!Array.isArray(run.results)) {
      p(`${at}/results`, 'must be an array');
      continue;
    }
    if (run.results.length > 25000) p(`${at}/results`, 'more than 25,000 results');
    for (const [i, result] of (run.results as unknown[]).entries()) {
      const rat = `${at}/results/${i}`;
      if (!isObject(result)) {
        p(rat, 'must be an object');
        continue;
      }
      if (!nonEmpty(result.ruleId) || !ruleIds.has(result.ruleId))
        p(`${rat}/ruleId`, `${JSON.stringify(result.ruleId)} is not a rule in tool.driver.rules`);
      if (result.ruleIndex !== undefined) {
        const byIndex = rules[Number(result.ruleIndex)];
        if (!isObject(byIndex) || byIndex.id !== result.ruleId)
          p(`${rat}/ruleIndex`, `${result.ruleIndex} does not point at rule ${result.ruleId}`);
      }
      if (result.level !== undefined && !LEVELS.includes(String(result.level)))
        p(`${rat}/level`, `${JSON.stringify(result.level)} is not none, note, warning or error`);
      if (!isObject(result.message) || !nonEmpty(result.message.text)) p(`${rat}/message/text`, 'is required');
      const locations = result.locations;
      if (!Array.isArray(locations) || locations.length === 0) {
        p(`${rat}/locations`, 'at least one location is required for code scanning to show the result');
        continue;
      }
      if (locations.length > 1000) p(`${rat}/locations`, 'more than 1000 locations');
      const first = locations[0];
      const physical = isObject(first) && isObject(first.physicalLocation) ? first.physicalLocation : undefined;
      const artifact = physical && isObject(physical.artifactLocation) ? physical.artifactLocation : undefined;
      const uri = artifact?.uri;
      if (!nonEmpty(uri)) {
        p(`${rat}/locations/0/physicalLocation/artifactLocation/uri`, 'is required');
        continue;
      }
      const lat = `${rat}/locations/0/physicalLocation`;
      const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(uri);
      if (artifact?.uriBaseId !== undefined) {
        if (hasScheme || uri.startsWith('/'))
          p(`${lat}/artifactLocation/uri`, `${uri}: with a uriBaseId it must be relative`);
        if (!nonEmpty(artifact.uriBaseId) || !(artifact.uriBaseId in bases))
          p(`${lat}/artifactLocation/uriBaseId`, `${artifact.uriBaseId} is not in run.originalUriBaseIds`);
      } else if (!/^file:\/\//i.test(uri)) {
        p(`${lat}/artifactLocation/uri`, `${uri}: without a uriBaseId it must be an absolute file:// URI`);
      }
      if (!hasScheme && uri.split('/').some((s) => s === '..'))
        p(`${lat}/artifactLocation/uri`, `${uri} climbs out of its base with ".."`);
      if (physical?.region !== undefined) {
        const start = isObject(physical.region) ? physical.region.startLine : undefined;
        if (!Number.isInteger(start) || (start as number) < 1)
          p(`${lat}/region/startLine`, `must be an integer >= 1, is ${JSON.stringify(start)}`);
      }
      if (result.partialFingerprints !== undefined) {
        const fp = result.partialFingerprints;
        if (!isObject(fp) || Object.values(fp).some((v) => typeof v !== 'string'))
          p(`${rat}/partialFingerprints`, 'must map names to strings');
      }
    }
  }
  return problems;
}
