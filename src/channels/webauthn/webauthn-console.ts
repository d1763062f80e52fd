// What the admin console shows of the passkey channel (docs/console.md), in both languages: its policy
// field and its part of the customer page (how many passkeys the customer registered).
import { consoleText as text, type ConsoleCustomer, type ConsoleMetadata } from '../channel-module.ts';

export const webauthnConsole: ConsoleMetadata = {
  title: text('Passkeys', '패스키'),
  policyFields: [{ field: 'enabled', kind: 'bool', label: text('Passkeys enabled', '패스키 사용') }],
};

export const webauthnConsoleCustomer = (passkeys: number): ConsoleCustomer => ({ locked: false, facts: [{ label: text('Passkeys', '패스키'), value: { text: String(passkeys) } }] });
