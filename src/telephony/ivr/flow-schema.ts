// The shape of a flow file in ivr-flows/ (one file per flow and locale, "<flow>.<locale>.json").
// Beyond the shape, the schema checks what makes a file usable on a live call: the flow is one the
// code can run, the locale's language can be spoken (number words, digits, ordinals), every message
// id of the flow has wording, no unknown id, and each wording uses exactly its allowed placeholders.
import { z } from 'zod';
import { flowMessageSpecs } from './flow-messages.ts';
import { placeholdersIn } from './message-template.ts';
import { speechLanguageOf, speechLanguages } from '../../language/speech-language.ts';

const localePattern = /^[a-z]{2,3}(-[A-Z][a-z]{3})?-([A-Z]{2}|\d{3})$/;

export const flowSchema = z
  .strictObject({
    /** Free text for the people editing the file. */
    description: z.string().optional(),
    flow: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case flow id like "knowledge-check"'),
    locale: z.string().regex(localePattern, 'a BCP 47 tag with a region, like "ko-KR"'),
    voice: z.strictObject({
      /** Twilio <Say language>, e.g. "ko-KR". */
      language: z.string().regex(localePattern, 'a Twilio <Say> language like "ko-KR"'),
      /** Twilio <Say voice>, e.g. "Polly.Seoyeon", "Google.ko-KR-Standard-A", "alice". */
      name: z.string().regex(/^((Polly|Google)\.[\p{L}\p{N}.-]+|man|woman|alice)$/u, 'a Twilio voice like "Polly.Seoyeon"'),
    }),
    gather: z.strictObject({
      /** Seconds Twilio waits for the next key: after it, what was pressed is submitted (a lone * or 0). */
      timeoutSeconds: z.int().min(3).max(15),
    }),
    /** Silence before the greeting, so the first words are not lost while the phone reaches the ear. */
    leadingPauseSeconds: z.int().min(0).max(5).default(1),
    messages: z.record(z.string(), z.string().trim().min(1, 'must not be empty')),
  })
  .superRefine((file, context) => {
    if (!speechLanguageOf(file.locale)) {
      context.addIssue({
        code: 'custom',
        path: ['locale'],
        message: `the language of "${file.locale}" cannot be spoken yet (supported: ${speechLanguages.join(', ')}); see docs/call-script.md`,
      });
    }
    const specs = flowMessageSpecs[file.flow];
    if (!specs) {
      context.addIssue({ code: 'custom', path: ['flow'], message: `unknown flow "${file.flow}" (known: ${Object.keys(flowMessageSpecs).join(', ')})` });
      return;
    }
    for (const id of Object.keys(specs)) {
      if (!(id in file.messages)) context.addIssue({ code: 'custom', path: ['messages', id], message: `missing (${specs[id]!.purpose})` });
    }
    for (const [id, wording] of Object.entries(file.messages)) {
      const spec = specs[id];
      if (!spec) {
        context.addIssue({ code: 'custom', path: ['messages', id], message: `unknown message id for flow "${file.flow}"` });
        continue;
      }
      const found = placeholdersIn(wording);
      if ('error' in found) {
        context.addIssue({ code: 'custom', path: ['messages', id], message: found.error });
        continue;
      }
      const allowed = spec.placeholders.length > 0 ? spec.placeholders.map((name) => `{${name}}`).join(', ') : 'none';
      for (const name of found.names) {
        if (!spec.placeholders.includes(name)) {
          context.addIssue({ code: 'custom', path: ['messages', id], message: `placeholder {${name}} is not allowed here (allowed: ${allowed})` });
        }
      }
      for (const name of spec.placeholders) {
        if (!found.names.includes(name)) {
          context.addIssue({ code: 'custom', path: ['messages', id], message: `must contain {${name}}` });
        }
      }
    }
  });

export type CallFlow = z.output<typeof flowSchema>;
