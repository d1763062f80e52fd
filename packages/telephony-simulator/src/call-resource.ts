// The Call resource in Twilio's JSON shape (2010-04-01 API), as the SDK's CallInstance reads it.
import { randomBytes } from 'node:crypto';
import { apiVersion, callDurationSeconds, rfc2822 } from './call-webhooks.ts';
import { parseNumber } from './numbering-plan.ts';
import type { SimCall } from './simulator-state.ts';

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function callUri(accountSid: string, callSid: string): string {
  return `/${apiVersion}/Accounts/${accountSid}/Calls/${callSid}.json`;
}

function formatted(number: string): string {
  return parseNumber(number)?.nationalFormat ?? number;
}

const subresources = [
  'feedback',
  'user_defined_messages',
  'notifications',
  'recordings',
  'streams',
  'payments',
  'user_defined_message_subscriptions',
  'siprec',
  'events',
  'feedback_summaries',
  'transcriptions',
] as const;

export function toCallResource(call: SimCall): Record<string, unknown> {
  const uri = callUri(call.accountSid, call.sid);
  const base = uri.slice(0, -'.json'.length);
  const ended = call.endTime !== null;
  return {
    account_sid: call.accountSid,
    annotation: null,
    answered_by: call.answeredBy,
    api_version: apiVersion,
    caller_name: null,
    date_created: rfc2822(call.dateCreated),
    date_updated: rfc2822(call.dateUpdated),
    direction: call.direction,
    duration: ended ? String(callDurationSeconds(call)) : null,
    end_time: call.endTime === null ? null : rfc2822(call.endTime),
    forwarded_from: null,
    from: call.from,
    from_formatted: formatted(call.from),
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: 'USD',
    queue_time: '0',
    sid: call.sid,
    start_time: call.startTime === null ? null : rfc2822(call.startTime),
    status: call.status,
    subresource_uris: Object.fromEntries(subresources.map((name) => [name, `${base}/${name === 'feedback_summaries' ? 'FeedbackSummary' : camel(name)}.json`])),
    to: call.to,
    to_formatted: formatted(call.to),
    trunk_sid: null,
    uri,
  };
}

/** `user_defined_messages` → `UserDefinedMessages`, as Twilio names the sub-resource paths. */
function camel(name: string): string {
  return name
    .split('_')
    .map((part) => (part === 'siprec' ? 'Siprec' : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}
