// What the customer pressed, from the Gather's `Digits` (see docs/call-script.md, "Keys"):
//
//   <Gather input="dtmf" numDigits="{positions}" finishOnKey="#" timeout="{flow timeout}">
//
// - N digits (N = number of positions): Twilio submits as soon as the N-th key is pressed → answer.
// - `*` anywhere: the customer did not request this → reject. `*` counts toward numDigits like a
//   digit, so a lone `*` is submitted when the Gather times out (or at once with `#`).
// - `0` alone: repeat the details; also submitted on the timeout (or with `#`). A 4-digit answer
//   starting with 0 is still an answer: only the single key `0` means "repeat".
// - nothing: Twilio does not call the action (actionOnEmptyResult is off) and falls through to the
//   no-input hook; an empty `Digits` is treated the same way.
// - anything else (fewer digits than asked, then a pause or `#`): incomplete; the ARS channel counts
//   it as a wrong answer, so partial entries cannot be used to probe the positions for free.

export type GatheredKeys =
  | { kind: 'answer'; digits: string }
  | { kind: 'reject' }
  | { kind: 'repeat' }
  | { kind: 'no_input' }
  | { kind: 'incomplete' };

export function interpretDigits(digits: string | null | undefined, positionsCount: number): GatheredKeys {
  // With one position, "0" would be both an answer and "repeat".
  if (!Number.isInteger(positionsCount) || positionsCount < 2) throw new RangeError('at least two positions are asked');
  const pressed = (digits ?? '').trim();
  if (pressed === '') return { kind: 'no_input' };
  if (pressed.includes('*')) return { kind: 'reject' };
  if (pressed === '0') return { kind: 'repeat' };
  if (pressed.length === positionsCount && /^[0-9]+$/.test(pressed)) return { kind: 'answer', digits: pressed };
  return { kind: 'incomplete' };
}
