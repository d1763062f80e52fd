// The validated flows, by flow id and locale, with locale fallback:
//   exact locale ("ko-KR") → same language ("ko" or "ko-KP" → the default locale when it is of that
//   language, else the first locale of that language) → the configured default locale.
import type { CallFlow } from './flow-schema.ts';

function normalizeLocale(locale: string): string {
  return locale.trim().replace(/_/g, '-').toLowerCase();
}

function languageOf(locale: string): string {
  return normalizeLocale(locale).split('-')[0] ?? '';
}

export class FlowCatalog {
  readonly defaultLocale: string;
  private readonly flowsById = new Map<string, Map<string, CallFlow>>();

  /** Throws when a (flow, locale) pair is duplicated or a flow lacks the default locale. */
  constructor(flows: readonly CallFlow[], defaultLocale: string) {
    this.defaultLocale = defaultLocale;
    for (const flow of flows) {
      const byLocale = this.flowsById.get(flow.flow) ?? new Map<string, CallFlow>();
      const key = normalizeLocale(flow.locale);
      if (byLocale.has(key)) throw new Error(`flow "${flow.flow}" has two files for locale ${flow.locale}`);
      byLocale.set(key, flow);
      this.flowsById.set(flow.flow, byLocale);
    }
    for (const [flowId, byLocale] of this.flowsById) {
      if (!byLocale.has(normalizeLocale(defaultLocale))) {
        throw new Error(`flow "${flowId}" has no file for the default locale ${defaultLocale}`);
      }
    }
  }

  flowIds(): string[] {
    return [...this.flowsById.keys()].sort();
  }

  locales(flowId: string): string[] {
    return [...(this.flowsById.get(flowId)?.values() ?? [])].map((flow) => flow.locale).sort();
  }

  /** The flow to speak for a challenge's locale; throws only for a flow id the catalog lacks. */
  resolve(flowId: string, locale?: string | null): CallFlow {
    const byLocale = this.flowsById.get(flowId);
    if (!byLocale) throw new Error(`no flow "${flowId}" is loaded`);
    const fallback = byLocale.get(normalizeLocale(this.defaultLocale))!;
    if (!locale) return fallback;
    const exact = byLocale.get(normalizeLocale(locale));
    if (exact) return exact;
    const language = languageOf(locale);
    if (languageOf(this.defaultLocale) === language) return fallback;
    const sameLanguage = [...byLocale.entries()]
      .filter(([key]) => languageOf(key) === language)
      .sort(([a], [b]) => a.localeCompare(b))[0];
    return sameLanguage?.[1] ?? fallback;
  }
}
