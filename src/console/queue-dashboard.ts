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

/** A stylesheet, script or font the page would fetch from another host (bull-board's page asks Google Fonts). */
const externalAsset = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>|<script\b[^>]*\bsrc="(?:https?:)?\/\/[^"]*"[^>]*><\/script>/g;

/**
 * Nothing of stepup loads from another host (docs/console.md): bull-board's page template links web
 * fonts from Google, which the CSP blocks anyway; the link is removed from the rendered page, and the
 * page falls back to its own font stack.
 */
function withoutExternalAssets(serverAdapter: ExpressAdapter): void {
  const app = (serverAdapter as unknown as { app: express.Express }).app;
  const render = (app as unknown as { engines: Record<string, (path: string, options: object, callback: (error: Error | null, html?: string) => void) => void> }).engines['.ejs'];
  if (!render) throw new Error('bull-board no longer renders its page with ejs: check withoutExternalAssets');
  app.engine('ejs', (path, options, callback) => render(path, options, (error, html) => callback(error, html?.replace(externalAsset, ''))));
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
    withoutExternalAssets(serverAdapter);
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
