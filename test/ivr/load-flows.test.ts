import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { holdNotificationMessages, knowledgeCheckMessages, phoneChangeMessages } from '../../src/telephony/ivr/flow-messages.ts';
import { FlowValidationError } from '../../src/telephony/ivr/flow-validation-error.ts';
import { defaultFlowsDirectory, loadFlows } from '../../src/telephony/ivr/load-flows.ts';

type FlowDocument = { messages: Record<string, string>; [field: string]: unknown };

async function shipped(locale: string): Promise<FlowDocument> {
  return JSON.parse(await readFile(join(defaultFlowsDirectory, `knowledge-check.${locale}.json`), 'utf8')) as FlowDocument;
}

describe('loadFlows', () => {
  let workDir: string;
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'stepup-ivr-flows-'));
  });
  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** A fresh directory holding the given files; returns the FlowValidationError it causes. */
  async function rejectionOf(files: Record<string, string | object>, defaultLocale = 'ko-KR'): Promise<FlowValidationError> {
    const directory = await mkdtemp(join(workDir, 'case-'));
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(directory, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
    try {
      await loadFlows({ directory, defaultLocale });
    } catch (error) {
      assert.ok(error instanceof FlowValidationError, `expected a FlowValidationError, got ${String(error)}`);
      return error;
    }
    assert.fail('the flows were accepted');
  }

  async function withChangedEnglish(change: (document: FlowDocument) => void): Promise<FlowValidationError> {
    const english = await shipped('en-US');
    change(english);
    return rejectionOf({ 'knowledge-check.ko-KR.json': await shipped('ko-KR'), 'knowledge-check.en-US.json': english });
  }

  it('accepts the shipped files, each with every message id of its flow', async () => {
    const catalog = await loadFlows();
    assert.deepEqual(catalog.flowIds(), ['hold-notification', 'knowledge-check', 'phone-change']);
    for (const [flowId, messages] of [['knowledge-check', knowledgeCheckMessages], ['hold-notification', holdNotificationMessages], ['phone-change', phoneChangeMessages]] as const) {
      assert.deepEqual(catalog.locales(flowId), ['en-US', 'ko-KR']);
      for (const locale of ['ko-KR', 'en-US']) {
        const flow = catalog.resolve(flowId, locale);
        assert.equal(flow.locale, locale);
        assert.deepEqual(Object.keys(flow.messages).sort(), Object.keys(messages).sort());
      }
    }
    assert.equal(catalog.resolve('knowledge-check', 'ko-KR').voice.language, 'ko-KR');
    assert.equal(catalog.resolve('knowledge-check', 'en-US').voice.name, 'Polly.Joanna');
  });

  it('falls back by language, then to the default locale', async () => {
    const catalog = await loadFlows({ defaultLocale: 'ko-KR' });
    const localeFor = (locale?: string | null): string => catalog.resolve('knowledge-check', locale).locale;
    assert.equal(localeFor('ko'), 'ko-KR');
    assert.equal(localeFor('ko_kr'), 'ko-KR');
    assert.equal(localeFor('en'), 'en-US');
    assert.equal(localeFor('en-GB'), 'en-US');
    assert.equal(localeFor('fr-FR'), 'ko-KR');
    assert.equal(localeFor(undefined), 'ko-KR');
    assert.equal(localeFor(null), 'ko-KR');
    const englishFirst = await loadFlows({ defaultLocale: 'en-US' });
    assert.equal(englishFirst.resolve('knowledge-check', 'de-DE').locale, 'en-US');
    assert.throws(() => catalog.resolve('no-such-flow', 'ko-KR'), /no flow "no-such-flow"/);
  });

  it('rejects a file that is not JSON, naming the file', async () => {
    const error = await rejectionOf({ 'knowledge-check.ko-KR.json': '{"flow": "knowledge-check",' });
    assert.match(error.message, /knowledge-check\.ko-KR\.json: not valid JSON/);
  });

  it('rejects a missing message id, naming file and field', async () => {
    const error = await withChangedEnglish((english) => {
      delete english.messages.ask;
    });
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!.file, /knowledge-check\.en-US\.json$/);
    assert.equal(error.problems[0]!.field, 'messages.ask');
    assert.match(error.message, /knowledge-check\.en-US\.json: messages\.ask: missing/);
  });

  it('rejects a placeholder the message does not allow', async () => {
    const error = await withChangedEnglish((english) => {
      english.messages.ask = 'Enter the {positions} digits of {securityNumber}.';
    });
    assert.match(error.message, /messages\.ask: placeholder \{securityNumber\} is not allowed here \(allowed: \{positions\}\)/);
  });

  it('rejects wording that drops a required placeholder', async () => {
    const error = await withChangedEnglish((english) => {
      english.messages.ask = 'Enter some digits of your security number.';
      english.messages['transaction.amount'] = 'Amount follows.';
    });
    assert.match(error.message, /messages\.ask: must contain \{positions\}/);
    assert.match(error.message, /messages\.transaction\.amount: must contain \{amount\}/);
  });

  it('rejects unknown ids, stray braces, empty wording and bad fields — all at once', async () => {
    const error = await withChangedEnglish((english) => {
      english.messages['goodbye.see_you'] = 'See you.';
      english.messages['goodbye.farewell'] = 'Goodbye {';
      english.messages['no_input'] = '   ';
      english.voice = { language: 'en-US', name: 'Robot 3000' };
      english.gather = { timeoutSeconds: 60 };
    });
    const fields = error.problems.map((problem) => problem.field).sort();
    assert.deepEqual(fields, ['gather.timeoutSeconds', 'messages.goodbye.farewell', 'messages.goodbye.see_you', 'messages.no_input', 'voice.name']);
    assert.match(error.message, /voice\.name: a Twilio voice/);
    assert.match(error.message, /messages\.no_input: must not be empty/);
    assert.match(error.message, /messages\.goodbye\.see_you: unknown message id for flow "knowledge-check"/);
    assert.match(error.message, /messages\.goodbye\.farewell: has a "\{" or "\}"/);
  });

  it('rejects unknown top-level fields, unknown flows and unsupported languages', async () => {
    const english = await shipped('en-US');
    const korean = await shipped('ko-KR');
    const extraField = await rejectionOf({ 'knowledge-check.ko-KR.json': { ...korean, secretPositions: 4 } });
    assert.match(extraField.message, /knowledge-check\.ko-KR\.json/);
    assert.match(extraField.message, /secretPositions/);
    const unknownFlow = await rejectionOf({ 'knowledge-check.ko-KR.json': korean, 'press-one.ko-KR.json': { ...korean, flow: 'press-one' } });
    assert.match(unknownFlow.message, /press-one\.ko-KR\.json: flow: unknown flow "press-one"/);
    const japanese = await rejectionOf({
      'knowledge-check.ko-KR.json': korean,
      'knowledge-check.ja-JP.json': { ...english, locale: 'ja-JP', voice: { language: 'ja-JP', name: 'Polly.Mizuki' } },
    });
    assert.match(japanese.message, /knowledge-check\.ja-JP\.json: locale: the language of "ja-JP" cannot be spoken yet/);
  });

  it('rejects a file whose name does not match its flow and locale', async () => {
    const error = await rejectionOf({ 'knowledge-check.ko-KR.json': await shipped('ko-KR'), 'knowledge-check.en-GB.json': await shipped('en-US') });
    assert.match(error.message, /knowledge-check\.en-GB\.json: the file name must be "knowledge-check\.en-US\.json"/);
  });

  it('requires every flow to have the default locale', async () => {
    const error = await rejectionOf({ 'knowledge-check.en-US.json': await shipped('en-US') }, 'ko-KR');
    assert.match(error.message, /flow "knowledge-check" needs a file for the default locale ko-KR/);
  });

  it('rejects an empty directory', async () => {
    const error = await rejectionOf({ 'README.txt': 'no flows here' });
    assert.match(error.message, /contains no flow files/);
  });
});
