// The difference between two policy documents, field by field, with the changes that lower security
// marked (docs/admin-api.md "Maker-checker"): what a proposal shows its approver and the audit keeps.
import { effectivePolicy, weakeningOf as builtInWeakening, type PolicyDocument } from './policy-schema.ts';
import type { Weakening } from './policy-fields.ts';
import { isWeakening } from './weakening.ts';

export interface PolicyChange {
  /** Dotted path of the field (`stepUp.dailyCumulativeThreshold`); a list is one field. */
  path: string;
  before: unknown;
  after: unknown;
  weakens: boolean;
}

export interface PolicyDiff {
  diff: PolicyChange[];
  /** Paths of the fields changed the weak way; for grades, `grades.<name>.<field>` as its customers feel it. */
  weakens: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Changed leaves (objects are walked, lists and scalars compared whole; a missing side ends the walk). */
function changedLeaves(before: unknown, after: unknown, path: string[], out: { path: string[]; before: unknown; after: unknown }[]): void {
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) changedLeaves(before[key], after[key], [...path, key], out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
}

/** `weakeningOf` and `effective`: the composed schema's (src/policy/policy-schema.ts, composePolicy); the built-in channels' by default. */
export function diffPolicies(
  before: PolicyDocument,
  after: PolicyDocument,
  weakeningOf: (path: readonly string[]) => Weakening | undefined = builtInWeakening,
  effective: (policy: PolicyDocument, grade?: string) => PolicyDocument = effectivePolicy,
): PolicyDiff {
  const leaves: { path: string[]; before: unknown; after: unknown }[] = [];
  changedLeaves(before, after, [], leaves);
  const weakens: string[] = [];
  const diff = leaves.map((leaf) => {
    const path = leaf.path.join('.');
    // A grade's change is judged below, by what it does to the grade's customers.
    const weak = leaf.path[0] !== 'grades' && isWeakening(weakeningOf(leaf.path), leaf.before, leaf.after);
    if (weak) weakens.push(path);
    return { path, before: leaf.before ?? null, after: leaf.after ?? null, weakens: weak };
  });
  // Each grade, before and after, as its customers get it (a grade that is gone leaves them on the base).
  const gradeNames = new Set([...Object.keys(before.grades ?? {}), ...Object.keys(after.grades ?? {})]);
  for (const grade of gradeNames) {
    const felt: { path: string[]; before: unknown; after: unknown }[] = [];
    const { grades: _before, ...gradeBefore } = effective(before, grade);
    const { grades: _after, ...gradeAfter } = effective(after, grade);
    changedLeaves(gradeBefore, gradeAfter, [], felt);
    for (const leaf of felt) {
      const basePath = leaf.path.join('.');
      if (weakens.includes(basePath) || !isWeakening(weakeningOf(leaf.path), leaf.before, leaf.after)) continue;
      const path = `grades.${grade}.${basePath}`;
      weakens.push(path);
      const change = diff.find((entry) => entry.path === path || path.startsWith(`${entry.path}.`));
      if (change) change.weakens = true;
    }
  }
  return { diff, weakens };
}
