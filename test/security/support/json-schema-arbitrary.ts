// fast-check arbitraries from the JSON Schema zod 4 derives from a route's schema (z.toJSONSchema),
// and mutations of a valid value: the fuzz suite's raw material. Covers what our schemas use:
// objects, arrays, strings (length, pattern, url format), numbers, enums, consts, unions, $ref.
import fc from 'fast-check';

type JsonSchema = Record<string, any>;

/** Strings that have broken servers: lone surrogates, NUL, bidi overrides, injections, very long text. */
export const hostileStrings = [
  '\uD800',
  'a\uDFFFb',
  '\uDBFF\uDBFF',
  '\u0000',
  'x\u0000y',
  '%00',
  '%E0%A4%A',
  '\uFFFF\uFFFE',
  '\u202Ereversed',
  '\u2028\u2029',
  "'; DROP TABLE tenants; --",
  '${7*7}{{7*7}}',
  '../../../etc/passwd',
  '𝕏'.repeat(3000),
  'a'.repeat(70_000),
  '',
  ' ',
];

export const hugeNumbers = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 1e21, -0, 0.1 + 0.2, 2 ** 63];

/** An array nested `depth` levels deep around `leaf`. */
export const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
};

export function arbitraryFromJsonSchema(root: JsonSchema): fc.Arbitrary<unknown> {
  const resolve = (schema: JsonSchema): JsonSchema => {
    if (typeof schema.$ref !== 'string') return schema;
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    if (schema.$ref === '#') return root;
    return root.$defs?.[name] ?? {};
  };
  const build = (input: JsonSchema, depth: number): fc.Arbitrary<unknown> => {
    const schema = resolve(input);
    if (depth > 6) return fc.constant(null);
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
    const branches = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(branches) && branches.length > 0) return fc.oneof(...branches.map((b: JsonSchema) => build(b, depth + 1)));
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return build({ ...schema.allOf[0], ...schema, allOf: undefined }, depth + 1);
    if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type: string) => build({ ...schema, type }, depth + 1)));
    switch (schema.type) {
      case 'object': {
        const properties: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(schema.properties ?? {})) properties[name] = build(property as JsonSchema, depth + 1);
        if (Object.keys(properties).length === 0 && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), build(schema.additionalProperties, depth + 1), { maxKeys: 3 });
        }
        return fc.record(properties, { requiredKeys: (schema.required ?? []) as string[] });
      }
      case 'array':
        return fc.array(build(schema.items ?? {}, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) });
      case 'string': {
        if (schema.format === 'uri' || schema.format === 'url') return fc.constantFrom('https://bank.example/stepup/events', 'http://127.0.0.1:9/callback');
        if (typeof schema.pattern === 'string') {
          const max = schema.maxLength ?? 64;
          return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= max);
        }
        return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.max(schema.minLength ?? 0, Math.min(schema.maxLength ?? 24, 24)) });
      }
      case 'integer': {
        const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
        const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
        const low = Math.max(min, -1e9);
        return fc.integer({ min: low, max: Math.max(low, Math.min(max, 1e9)) });
      }
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  return build(root, 0);
}

type Mutation =
  | { kind: 'drop'; pick: number }
  | { kind: 'add'; pick: number; name: string; value: unknown }
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'whole'; value: unknown }
  | { kind: 'taint'; pick: number; text: string };

const wrongTypes: unknown[] = [null, true, 0, -1, '1', [], {}, [null], { a: 1 }];

/** Characters no column can hold, spliced into an otherwise valid string. */
const taints = ['\uD800', '\uDFFF', '\u0000', '\uDBFF\uDBFF'];

/** One change that is likely to make a valid value invalid, or hostile. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  // Most valid strings stay valid but for the tainted character: the likeliest way to reach storage.
  { arbitrary: fc.record({ kind: fc.constant('taint' as const), pick: fc.nat(), text: fc.constantFrom(...taints) }), weight: 4 },
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    name: fc.oneof(fc.constantFrom('id', 'tenantId', 'status', 'createdAt', 'isAdmin', '__proto__', 'constructor', '\uD800', 'a\u0000'), fc.string({ maxLength: 12 })),
    value: fc.oneof(fc.constantFrom(...wrongTypes), fc.constantFrom(...hostileStrings)),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    pick: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(...hostileStrings),
      fc.constantFrom(...hugeNumbers),
      fc.constantFrom(...wrongTypes),
      fc.constantFrom(nested(40), nested(600), { a: { b: { c: { d: nested(30, '\uD800') } } } }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    ),
  }),
  fc.record({ kind: fc.constant('whole' as const), value: fc.constantFrom(null, [], 'body', 42, true, nested(800), {}) }),
);

/** Every object/array position in `value`, as the containers and keys that hold them. */
function slots(value: unknown): { holder: Record<string, unknown> | unknown[]; key: string | number }[] {
  const found: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const visit = (current: unknown) => {
    if (Array.isArray(current)) current.forEach((item, index) => (found.push({ holder: current, key: index }), visit(item)));
    else if (current && typeof current === 'object') for (const [key, item] of Object.entries(current)) (found.push({ holder: current as Record<string, unknown>, key }), visit(item));
  };
  visit(value);
  return found;
}

function containers(value: unknown): (Record<string, unknown> | unknown[])[] {
  const found: (Record<string, unknown> | unknown[])[] = [];
  const visit = (current: unknown) => {
    if (current && typeof current === 'object') {
      found.push(current as Record<string, unknown>);
      for (const item of Object.values(current)) visit(item);
    }
  };
  visit(value);
  return found;
}

/** `valid` with `mutations` applied (on a copy). */
export function applyMutations(valid: unknown, mutations: Mutation[]): unknown {
  let value: unknown = structuredClone(valid);
  for (const mutation of mutations) {
    if (mutation.kind === 'whole') {
      value = structuredClone(mutation.value);
      continue;
    }
    if (mutation.kind === 'add') {
      const holders = containers(value).filter((c) => !Array.isArray(c)) as Record<string, unknown>[];
      if (holders.length === 0) continue;
      // A copy: generated constants are shared between runs, and a later mutation may write into this one.
      Object.defineProperty(holders[mutation.pick % holders.length]!, mutation.name, { value: structuredClone(mutation.value), enumerable: true, configurable: true, writable: true });
      continue;
    }
    if (mutation.kind === 'taint') {
      const strings = slots(value).filter((place) => typeof (place.holder as Record<string | number, unknown>)[place.key] === 'string');
      if (strings.length === 0) continue;
      const place = strings[mutation.pick % strings.length]!;
      const holder = place.holder as Record<string | number, unknown>;
      const text = holder[place.key] as string;
      const at = mutation.pick % (text.length + 1);
      holder[place.key] = text.slice(0, at) + mutation.text + text.slice(at);
      continue;
    }
    const places = slots(value);
    if (places.length === 0) {
      if (mutation.kind === 'replace') value = structuredClone(mutation.value);
      continue;
    }
    const place = places[mutation.pick % places.length]!;
    if (mutation.kind === 'drop') {
      if (Array.isArray(place.holder)) place.holder.splice(Number(place.key), 1);
      else delete place.holder[place.key as string];
    } else {
      (place.holder as Record<string | number, unknown>)[place.key] = structuredClone(mutation.value);
    }
  }
  return value;
}
