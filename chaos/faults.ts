// The faults a chaos run injects, one at a time, while the load runs. Each returns once the failed
// component is back (or has been replaced), so the run can time how long the API takes to recover.
import type { Cluster } from './cluster.ts';

export interface Fault {
  name: string;
  inject(cluster: Cluster): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const faults: Fault[] = [
  {
    name: 'kill -9 the API process, start it again',
    async inject(cluster) {
      await cluster.api.signal('SIGKILL');
      await sleep(1000);
      await cluster.api.start();
    },
  },
  {
    name: 'kill -9 a worker process, start it again',
    async inject(cluster) {
      await cluster.workers[0]!.signal('SIGKILL');
      await sleep(1000);
      await cluster.workers[0]!.start();
    },
  },
  {
    name: 'Redis down for 3 s (kill -9, restart from its append-only file)',
    async inject(cluster) {
      await cluster.redis.stop();
      await sleep(3000);
      await cluster.redis.resume();
    },
  },
  {
    name: 'PostgreSQL restart (fast shutdown)',
    async inject(cluster) {
      await cluster.postgres.stop('fast');
      await sleep(1000);
      await cluster.postgres.resume();
    },
  },
  {
    name: 'PostgreSQL crash (immediate shutdown), back after 3 s',
    async inject(cluster) {
      await cluster.postgres.stop('immediate');
      await sleep(3000);
      await cluster.postgres.resume();
    },
  },
  {
    name: 'SIGTERM the API process (graceful), start it again',
    async inject(cluster) {
      await cluster.api.signal('SIGTERM');
      await cluster.api.start();
    },
  },
  {
    name: 'SIGTERM both workers (graceful), start them again',
    async inject(cluster) {
      await Promise.all(cluster.workers.map((worker) => worker.signal('SIGTERM')));
      await Promise.all(cluster.workers.map((worker) => worker.start()));
    },
  },
];
