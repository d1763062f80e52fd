// Strings no column can hold: PostgreSQL refuses NUL in text and the "\ud800" escape of a lone UTF-16
// surrogate in jsonb, and would answer 500. Every declared request schema refuses them (defineRoute
// adds the check), anywhere in the value: object keys, free-form JSON, arrays (docs/admin-api.md).
import type { z } from 'zod';

/** Free-form JSON nested deeper than this is refused rather than walked. */
export const maxInputDepth = 32;

export interface HostileString {
  path: (string | number)[];
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (no `u` flag:
// the pattern must see code units).
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const hostileReason = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'NUL characters are not allowed';
  if (loneSurrogate.test(text)) return 'lone UTF-16 surrogates are not allowed';
  return undefined;
};

/**
 * The first hostile string (or too deep a nesting) in a parsed request value. Nothing is allocated
 * unless something is found (the path is built on the way back); the depth limit bounds the recursion.
 * An object's field names are checked before its values, and values are visited last to first.
 */
export function findHostileString(value: unknown, depth = 0): HostileString | undefined {
  if (typeof value === 'string') {
    const message = hostileReason(value);
    return message ? { path: [], message } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= maxInputDepth) return { path: [], message: `nested deeper than ${maxInputDepth} levels` };
  if (Array.isArray(value)) {
    for (let index = value.length - 1; index >= 0; index -= 1) {
      const found = findHostileString(value[index], depth + 1);
      if (found) return { ...found, path: [index, ...found.path] };
    }
    return undefined;
  }
  const keys = Object.keys(value);
  for (const key of keys) {
    const message = hostileReason(key);
    if (message) return { path: [key], message: `field name: ${message}` };
  }
  for (let index = keys.length - 1; index >= 0; index -= 1) {
    const key = keys[index]!;
    const found = findHostileString((value as Record<string, unknown>)[key], depth + 1);
    if (found) return { ...found, path: [key, ...found.path] };
  }
  return undefined;
}

const guarded = new WeakSet<z.ZodType>();

/** The schema, refusing hostile strings anywhere in what it accepts. */
export function refuseHostileStrings<T extends z.ZodType>(schema: T): T {
  const refusing = schema.superRefine((value, context) => {
    const found = findHostileString(value);
    if (found) context.addIssue({ code: 'custom', path: found.path, message: found.message });
  });
  guarded.add(refusing);
  return refusing;
}

/** Whether the schema went through refuseHostileStrings (tests walk every declared route with it). */
export const refusesHostileStrings = (schema: z.ZodType): boolean => guarded.has(schema);
