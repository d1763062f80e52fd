// The BullMQ dashboard (bull-board) inside the console: the server's queues and the channel modules'
// queues. Two boards over the same queues: a read-only one for every signed-in role and a full one
// for operators and above; console-router.ts refuses non-GET requests from lower roles either way.
import { Queue } from 'bullmq';
import type express from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { AppContext } from '../server/build-context.ts';

export const queueBoardPaths = { manage: '/admin/queues', readOnly: '/admin/queues-readonly' } as const;

export interface QueueDashboard {
  manage: express.RequestHandler;
  readOnly: express.RequestHandler;
  close(): Promise<void>;
}

/** `moduleQueueNames`: the queues the channel modules declare (ChannelModule.queueNames). */
export function createQueueDashboard(context: AppContext, moduleQueueNames: string[]): QueueDashboard {
  // The channel modules' queues are opened here by name (the dashboard only reads and, for operators, retries).
  const moduleQueues = moduleQueueNames.map(
    (name) => new Queue(name, { connection: context.queueRedis, prefix: context.config.queuePrefix, skipWaitingForReady: true }),
  );
  const queues = [...context.queues.all(), ...moduleQueues];
  const board = (basePath: string, readOnlyMode: boolean) => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(basePath);
    createBullBoard({
      queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode, prefix: '' })),
      // @bull-board/express 9.10.1 carries its own @bull-board/api 9.10.1: same interface, separate declarations.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'stepup queues', hideDocsLink: true, miscLinks: [{ text: 'Console', url: '/admin' }] } },
    });
    return serverAdapter.getRouter() as express.RequestHandler;
  };
  return {
    manage: board(queueBoardPaths.manage, false),
    readOnly: board(queueBoardPaths.readOnly, true),
    async close() {
      await Promise.all(moduleQueues.map((queue) => queue.close()));
    },
  };
}
