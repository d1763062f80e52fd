// Which digits of the security number to ask (SPEC §8 step 3): a CSPRNG draw of `count` distinct
// positions, never the same set as any of the customer's previous three, so a recorded or
// auto-answered call cannot be replayed.
import { randomInt } from 'node:crypto';

export const rememberedPositionSets = 3;

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((value, index) => value === b[index]);

/** Sorted, 1-based positions in 1..secretLength. */
export function drawPositions(secretLength: number, count: number, recent: readonly (readonly number[])[]): number[] {
  const take = Math.min(count, secretLength);
  const avoid = recent.slice(-rememberedPositionSets);
  // With few possible sets (count close to the length) avoiding all of them may be impossible.
  for (let tries = 0; tries < 64; tries += 1) {
    const pool = Array.from({ length: secretLength }, (_, index) => index + 1);
    for (let index = 0; index < take; index += 1) {
      const pick = index + randomInt(secretLength - index);
      [pool[index], pool[pick]] = [pool[pick]!, pool[index]!];
    }
    const drawn = pool.slice(0, take).sort((a, b) => a - b);
    if (!avoid.some((set) => sameSet(set, drawn))) return drawn;
  }
  return Array.from({ length: take }, (_, index) => index + 1);
}

/** The remembered sets after asking `asked`. */
export const rememberPositions = (recent: readonly (readonly number[])[], asked: readonly number[]): number[][] =>
  [...recent, asked].slice(-rememberedPositionSets).map((set) => [...set]);
