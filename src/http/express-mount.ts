// An express handler or router as a module's mount (src/channels/channel-module.ts, MountHandler): the
// contract names only node's request and response; the server mounts every handler with express
// (src/http/app.ts), so an express router receives the request objects it expects.
import type express from 'express';
import type { MountHandler } from '../channels/channel-module.ts';

export const expressMount = (handler: express.RequestHandler): MountHandler => handler as unknown as MountHandler;
