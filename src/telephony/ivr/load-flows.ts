// Reads every flow file of a directory at start-up and validates all of them before anything is
// served: a problem in any file stops the start with a FlowValidationError naming file and field.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowCatalog } from './flow-catalog.ts';
import { flowSchema, type CallFlow } from './flow-schema.ts';
import { FlowValidationError, type FlowProblem } from './flow-validation-error.ts';

/** The flows shipped with stepup (the repository's ivr-flows/). */
export const defaultFlowsDirectory = fileURLToPath(new URL('../../../ivr-flows/', import.meta.url));

export interface LoadFlowsOptions {
  /** Directory of "<flow>.<locale>.json" files; defaults to the shipped ivr-flows/. */
  directory?: string;
  /** Locale used when a challenge's locale (and its language) has no flow file. */
  defaultLocale?: string;
}

const fileNamePattern = /^(?<flow>[a-z][a-z0-9-]*)\.(?<locale>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\.json$/;

function parseFlowFile(file: string, name: string, text: string): { flow: CallFlow } | { problems: FlowProblem[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { problems: [{ file, field: '', message: `not valid JSON (${(error as Error).message})` }] };
  }
  const parsed = flowSchema.safeParse(document);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({ file, field: issue.path.map(String).join('.'), message: issue.message })),
    };
  }
  const named = fileNamePattern.exec(name)?.groups;
  if (named?.flow !== parsed.data.flow || named.locale !== parsed.data.locale) {
    return {
      problems: [{ file, field: '', message: `the file name must be "${parsed.data.flow}.${parsed.data.locale}.json" to match its flow and locale` }],
    };
  }
  return { flow: parsed.data };
}

export async function loadFlows({ directory = defaultFlowsDirectory, defaultLocale = 'ko-KR' }: LoadFlowsOptions = {}): Promise<FlowCatalog> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
  if (names.length === 0) throw new FlowValidationError([{ file: directory, field: '', message: 'contains no flow files (*.json)' }]);

  const flows: CallFlow[] = [];
  const problems: FlowProblem[] = [];
  for (const name of names) {
    const file = join(directory, name);
    const result = parseFlowFile(file, name, await readFile(file, 'utf8'));
    if ('flow' in result) flows.push(result.flow);
    else problems.push(...result.problems);
  }

  // Every flow must speak the default locale, since any unknown locale falls back to it.
  for (const flowId of new Set(flows.map((flow) => flow.flow))) {
    if (!flows.some((flow) => flow.flow === flowId && flow.locale === defaultLocale)) {
      problems.push({ file: join(directory, `${flowId}.${defaultLocale}.json`), field: '', message: `missing: flow "${flowId}" needs a file for the default locale ${defaultLocale}` });
    }
  }
  if (problems.length > 0) throw new FlowValidationError(problems);
  return new FlowCatalog(flows, defaultLocale);
}
