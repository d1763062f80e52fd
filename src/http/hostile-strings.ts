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
 * Whether the value holds anything findHostileString would report: the common case (nothing) answered
 * without building a path per node. Recursion stops at maxInputDepth, so the stack stays shallow.
 */
function holdsHostile(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return hostileReason(value) !== undefined;
  if (value === null || typeof value !== 'object') return false;
  if (depth >= maxInputDepth) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsHostile(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (hostileReason(key) !== undefined || holdsHostile((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** The first hostile string (or too deep a nesting) in a parsed request value; iterative, so depth cannot overflow the stack. */
export function findHostileString(value: unknown): HostileString | undefined {
  if (!holdsHostile(value, 0)) return undefined;
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const message = hostileReason(current);
      if (message) return { path, message };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxInputDepth) return { path, message: `nested deeper than ${maxInputDepth} levels` };
    if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      const message = hostileReason(key);
      if (message) return { path: [...path, key], message: `field name: ${message}` };
      pending.push({ value: item, path: [...path, key] });
    }
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
