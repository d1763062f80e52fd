// Which digits of the security number to ask (docs/ars-channel.md step 3): a CSPRNG draw of `count` distinct
// positions, never a set that the current challenge or any of the customer's previous three
// challenges asked, so a recorded or auto-answered call cannot be replayed.
//
// The history is kept per challenge, not per set: one challenge may ask many sets (a new set after
// every wrong answer, one per call attempt), and counting sets let a single challenge with a few
// wrong answers push the previous challenges out of the history.
import { randomInt } from 'node:crypto';

export const rememberedChallenges = 3;

/** The sets one challenge asked, oldest first. */
export interface ChallengePositions {
  challengeId: string;
  sets: number[][];
}

/** Newest challenge last: the current one and the previous `rememberedChallenges`. */
export type PositionHistory = ChallengePositions[];

const setKey = (set: readonly number[]) => set.join(',');

/**
 * The stored history (ars_customers.recent_positions). Rows written before the history was kept
 * per challenge hold bare sets: each becomes a challenge of its own, so none is forgotten early.
 */
export function positionHistoryOf(stored: unknown): PositionHistory {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((entry, index): PositionHistory => {
    if (Array.isArray(entry)) return [{ challengeId: `legacy-${index}`, sets: [entry.map(Number)] }];
    if (entry && typeof entry === 'object' && Array.isArray((entry as ChallengePositions).sets)) {
      const { challengeId, sets } = entry as ChallengePositions;
      return [{ challengeId: String(challengeId), sets: sets.filter(Array.isArray).map((set) => set.map(Number)) }];
    }
    return [];
  });
}

/** Every `take`-subset of 1..length, ascending (at most C(12, 6) = 924 for a 12-digit secret). */
function allSets(length: number, take: number): number[][] {
  const sets: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === take) {
      sets.push([...chosen]);
      return;
    }
    for (let position = start; position <= length - (take - chosen.length) + 1; position += 1) pick(position + 1, [...chosen, position]);
  };
  pick(1, []);
  return sets;
}

/**
 * Sorted, 1-based positions in 1..secretLength, drawn uniformly among the sets `history` has not
 * asked. When every set was asked (a short secret), the oldest asked sets become allowed first.
 */
export function drawPositions(secretLength: number, count: number, history: PositionHistory): number[] {
  const take = Math.min(count, secretLength);
  const candidates = allSets(secretLength, take);
  const asked = history.flatMap((challenge) => challenge.sets.map(setKey));
  for (let forgotten = 0; forgotten <= asked.length; forgotten += 1) {
    const avoid = new Set(asked.slice(forgotten));
    const free = candidates.filter((set) => !avoid.has(setKey(set)));
    if (free.length > 0) return free[randomInt(free.length)]!;
  }
  return candidates[randomInt(candidates.length)]!;
}

/** The history after `challengeId` asked `asked`: that challenge moves last; the oldest beyond the limit go. */
export function rememberPositions(history: PositionHistory, challengeId: string, asked: readonly number[]): PositionHistory {
  const current = history.find((challenge) => challenge.challengeId === challengeId);
  const others = history.filter((challenge) => challenge.challengeId !== challengeId);
  const updated = { challengeId, sets: [...(current?.sets ?? []), [...asked]] };
  return [...others, updated].slice(-(rememberedChallenges + 1));
}
