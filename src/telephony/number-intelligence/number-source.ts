// One number-intelligence source (docs/number-vetting.md "Number vetting"): what it is asked, and its
// answer, whose shape the ARS channel declares (number-source-answer.ts).
import type { AnswerPart, SourceAnswer, SourceName } from '../../channels/ars/number-source-answer.ts';

export type { AnswerPart, SourceAnswer, SourceName };

export interface SourceQuery {
  tenantId: string;
  e164: string;
  purpose: 'enrollment' | 'call';
  /** The parts the caller still needs; a source may answer more. */
  parts: ReadonlySet<AnswerPart>;
  /** Correlates the source's request with the audit entry. */
  requestId: string;
}

export interface NumberSource {
  readonly name: SourceName;
  /** Never throws for an expected failure: an outage is an answer with unknown parts and `unavailable`. */
  lookup(query: SourceQuery): Promise<SourceAnswer>;
}

/** The answer of a source that could tell nothing (outage, not configured). */
export const unknownAnswer = (source: SourceName, errors: string[], unavailable = true): SourceAnswer => ({
  source,
  valid: null,
  lineType: 'unknown',
  country: null,
  callForwarding: null,
  errors,
  unavailable,
});
