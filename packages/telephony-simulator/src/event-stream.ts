// GET /sim/events: Server-Sent Events so the softphone page follows calls live.
//   event: snapshot  data: [call views]      (once, on connect)
//   event: call      data: call view         (whenever a call changes)
//   event: cleared   data: {}                (DELETE /sim/state)
// Optional ?to={e164} limits the stream to calls to one number.
import express, { type Response, type Router } from 'express';
import { normalizeNumber } from './numbering-plan.ts';
import { toCallView, type SimCall, type SimulatorState } from './simulator-state.ts';

const heartbeatMs = 15_000;

export interface EventStream {
  router: Router;
  /** Ends every open stream (simulator shutdown). */
  closeAll(): void;
}

export function eventStream(state: SimulatorState): EventStream {
  const router = express.Router();
  const open = new Set<Response>();

  router.get('/sim/events', (req, res) => {
    const rawTo = typeof req.query.to === 'string' ? req.query.to.trim() : '';
    const to = rawTo === '' ? undefined : normalizeNumber(/^\d/.test(rawTo) ? `+${rawTo}` : rawTo);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 1000\n\n');
    send('snapshot', state.listCalls(to).map(toCallView));

    const onCall = (call: SimCall): void => {
      if (to === undefined || call.to === to) send('call', toCallView(call));
    };
    const onCleared = (): void => send('cleared', {});
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    state.changes.on('call', onCall);
    state.changes.on('cleared', onCleared);
    open.add(res);
    const stop = (): void => {
      clearInterval(heartbeat);
      state.changes.off('call', onCall);
      state.changes.off('cleared', onCleared);
      open.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  });

  return {
    router,
    closeAll: () => {
      for (const res of open) res.end();
      open.clear();
    },
  };
}
