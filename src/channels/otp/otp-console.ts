// What the admin console shows of the OTP channel (docs/console.md), in both languages: its policy
// fields, its timeline section (the codes submitted for a challenge) and its part of the customer page
// (the tokens and their lock state).
import { consoleText as text, type ConsoleCustomer, type ConsoleMetadata } from '../channel-module.ts';

export const otpConsole: ConsoleMetadata = {
  title: text('OTP', 'OTP'),
  policyFields: [
    { field: 'enabled', kind: 'bool', label: text('OTP enabled', 'OTP 사용') },
    { field: 'maxAttempts', kind: 'number', label: text('OTP attempts per challenge', '요청당 OTP 입력 횟수') },
  ],
  timeline: [
    {
      key: 'otpAttempts',
      kind: 'record',
      title: text('OTP attempts', 'OTP 입력'),
      empty: text('No OTP codes submitted.', '입력된 OTP 코드가 없습니다.'),
      fields: [
        { field: 'attempts', format: 'text', label: text('Codes submitted', '입력한 코드 수') },
        { field: 'accepted', format: 'yesno', label: text('Accepted', '승인됨') },
      ],
    },
  ],
};

/** The customer page's OTP facts: the tokens (never a seed) and whether one is locked. */
export function otpConsoleCustomer(tokens: { id: string; type: string; suite?: string; locked: boolean }[]): ConsoleCustomer {
  return {
    locked: tokens.some((token) => token.locked),
    facts: [
      {
        label: text('OTP tokens', 'OTP 토큰'),
        value: {
          table: {
            columns: [text('Token id', '토큰 ID'), text('Type', '유형'), text('Lock state', '잠금 상태')],
            rows: tokens.map((token) => [token.id, token.type + (token.suite ? ` ${token.suite}` : ''), token.locked ? text('locked', '잠김') : text('not locked', '잠기지 않음')]),
            empty: text('No OTP tokens.', 'OTP 토큰이 없습니다.'),
          },
        },
      },
    ],
  };
}
