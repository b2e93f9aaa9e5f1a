/**
 * A small JSON Schema (draft-07) validator for the keywords the Compose Specification's schema uses, written for the
 * tests because no validator is among the project's dependencies. An unknown validation keyword is an error rather
 * than silently ignored, so a newer schema that needs more of draft-07 fails loudly instead of passing everything.
 */
export type Schema = boolean | { [keyword: string]: unknown };

export interface SchemaError {
  /** JSON pointer-like path of the value: /services/nginx/ports/0 */
  path: string;
  message: string;
}

const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'deprecated',
  'examples',
  'definitions',
  'format', // an annotation unless a validator opts in; compose-spec.json uses none
]);

type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'object') return typeof v as JsonType;
  throw new Error(`not a JSON value: ${typeof v}`);
}

function hasType(v: unknown, t: JsonType): boolean {
  const actual = typeOf(v);
  if (t === 'integer') return actual === 'number' && Number.isInteger(v);
  return actual === t;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

export class SchemaValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: Schema) {}

  validate(value: unknown): SchemaError[] {
    const errors: SchemaError[] = [];
    this.check(this.root, value, '', errors);
    return errors;
  }

  private regex(p: string): RegExp {
    let r = this.patterns.get(p);
    if (!r) {
      r = new RegExp(p, 'u');
      this.patterns.set(p, r);
    }
    return r;
  }

  private resolve(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`only local $ref are supported: ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
      node = (node as Record<string, unknown>)?.[key];
      if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    }
    return node as Schema;
  }

  private check(schema: Schema, v: unknown, path: string, errors: SchemaError[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push({ path, message: 'no value is allowed here' });
      return;
    }
    const fail = (message: string) => errors.push({ path: path || '/', message });
    for (const [kw, arg] of Object.entries(schema)) {
      if (ANNOTATIONS.has(kw)) continue;
      switch (kw) {
        case '$ref':
          this.check(this.resolve(arg as string), v, path, errors);
          break;
        case 'type': {
          const types = (Array.isArray(arg) ? arg : [arg]) as JsonType[];
          if (!types.some((t) => hasType(v, t))) fail(`must be ${types.join(' or ')}, is ${typeOf(v)}`);
          break;
        }
        case 'enum':
          if (!(arg as unknown[]).some((e) => deepEqual(e, v))) fail(`must be one of ${JSON.stringify(arg)}`);
          break;
        case 'const':
          if (!deepEqual(arg, v)) fail(`must be ${JSON.stringify(arg)}`);
          break;
        case 'pattern':
          if (typeof v === 'string' && !this.regex(arg as string).test(v)) fail(`must match /${arg}/`);
          break;
        case 'minLength':
          if (typeof v === 'string' && [...v].length < (arg as number)) fail(`must be at least ${arg} characters`);
          break;
        case 'maxLength':
          if (typeof v === 'string' && [...v].length > (arg as number)) fail(`must be at most ${arg} characters`);
          break;
        case 'minimum':
          if (typeof v === 'number' && v < (arg as number)) fail(`must be >= ${arg}`);
          break;
        case 'maximum':
          if (typeof v === 'number' && v > (arg as number)) fail(`must be <= ${arg}`);
          break;
        case 'minItems':
          if (Array.isArray(v) && v.length < (arg as number)) fail(`must have at least ${arg} items`);
          break;
        case 'uniqueItems':
          if (arg === true && Array.isArray(v)) {
            const seen = v.map((x) => JSON.stringify(canonical(x)));
            if (new Set(seen).size !== seen.length) fail('items must be unique');
          }
          break;
        case 'items':
          if (Array.isArray(v)) {
            if (Array.isArray(arg)) throw new Error('tuple items are not supported');
            v.forEach((item, i) => {
              this.check(arg as Schema, item, `${path}/${i}`, errors);
            });
          }
          break;
        case 'required':
          if (v && typeof v === 'object' && !Array.isArray(v))
            for (const k of arg as string[]) if (!(k in v)) fail(`must have property "${k}"`);
          break;
        case 'properties':
        case 'patternProperties':
          // checked with additionalProperties below
          break;
        case 'additionalProperties':
          break;
        case 'minProperties':
          if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length < (arg as number))
            fail(`must have at least ${arg} properties`);
          break;
        case 'oneOf': {
          const passing = (arg as Schema[]).filter((s) => this.passes(s, v, path));
          if (passing.length !== 1)
            fail(
              passing.length === 0
                ? `matches none of the ${(arg as Schema[]).length} allowed forms${this.firstReasons(arg as Schema[], v, path)}`
                : `matches ${passing.length} of the forms of a oneOf`,
            );
          break;
        }
        case 'anyOf':
          if (!(arg as Schema[]).some((s) => this.passes(s, v, path)))
            fail(`matches none of the allowed forms${this.firstReasons(arg as Schema[], v, path)}`);
          break;
        case 'allOf':
          for (const s of arg as Schema[]) this.check(s, v, path, errors);
          break;
        case 'not':
          if (this.passes(arg as Schema, v, path)) fail('must not match the excluded form');
          break;
        default:
          throw new Error(
            `JSON Schema keyword "${kw}" is not supported by test/support/json-schema.ts (at ${path || '/'})`,
          );
      }
    }
    if (v && typeof v === 'object' && !Array.isArray(v))
      this.checkProperties(schema, v as Record<string, unknown>, path, errors);
  }

  private checkProperties(
    schema: { [k: string]: unknown },
    obj: Record<string, unknown>,
    path: string,
    errors: SchemaError[],
  ): void {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const patterns = (schema.patternProperties ?? {}) as Record<string, Schema>;
    const additional = schema.additionalProperties as Schema | undefined;
    for (const [k, val] of Object.entries(obj)) {
      const p = `${path}/${k}`;
      let matched = false;
      if (k in props) {
        matched = true;
        this.check(props[k], val, p, errors);
      }
      for (const [pat, s] of Object.entries(patterns))
        if (this.regex(pat).test(k)) {
          matched = true;
          this.check(s, val, p, errors);
        }
      if (!matched && additional !== undefined) {
        if (additional === false) errors.push({ path: p, message: `"${k}" is not allowed here` });
        else this.check(additional, val, p, errors);
      }
    }
  }

  private passes(schema: Schema, v: unknown, path: string): boolean {
    const errs: SchemaError[] = [];
    this.check(schema, v, path, errs);
    return errs.length === 0;
  }

  private firstReasons(schemas: Schema[], v: unknown, path: string): string {
    const reasons = schemas.map((s) => {
      const errs: SchemaError[] = [];
      this.check(s, v, path, errs);
      return errs[0] ? `${errs[0].path}: ${errs[0].message}` : '';
    });
    return ` (${reasons.filter(Boolean).join('; ')})`;
  }
}
