// Watches the simulator for calls to one number that are live at the same time (queued, ringing or
// answered), sampling its control API until stopped: the most seen at once is the result.
import { callsTo, type SimFixture } from '../ars/ars-fixture.ts';

const liveStatuses = new Set(['queued', 'ringing', 'in-progress']);

export const liveCalls = async (sim: SimFixture, number: string): Promise<any[]> => (await callsTo(sim, number)).filter((call) => liveStatuses.has(call.status));

export function watchLiveCalls(sim: SimFixture, number: string): { stop(): Promise<number> } {
  let most = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      most = Math.max(most, (await liveCalls(sim, number)).length);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return most;
    },
  };
}
