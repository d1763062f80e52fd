// The faults a chaos run injects, one at a time, while the load runs. Each returns once the failed
// component is back (or has been replaced), so the run can time how long the API takes to recover.
import pg from 'pg';
import { Redis } from 'ioredis';
import { killFor } from './chaos-process.ts';
import type { Cluster } from './cluster.ts';
import { measureRedisLoss } from './redis-loss.ts';

export interface Fault {
  name: string;
  inject(cluster: Cluster): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const faults: Fault[] = [
  {
    name: 'kill -9 one API process (of two, behind HAProxy), start it again',
    inject: (cluster) => killFor(cluster.apis[0]!, 1000),
  },
  {
    name: 'kill -9 a worker process, start it again',
    inject: (cluster) => killFor(cluster.workers[0]!, 1000),
  },
  {
    name: 'Redis primary down for 3 s (kill -9, restart from its append-only file; the sentinels wait 5 s)',
    async inject(cluster) {
      const port = await cluster.redis.killPrimary();
      await sleep(3000);
      await cluster.redis.restart(port);
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
    name: 'SIGTERM one API process (of two; graceful), start it again',
    async inject(cluster) {
      const api = cluster.apis[cluster.apis.length - 1]!;
      await api.signal('SIGTERM');
      await api.start();
    },
  },
  {
    name: 'SIGTERM both workers (graceful), start them again',
    async inject(cluster) {
      await Promise.all(cluster.workers.map((worker) => worker.signal('SIGTERM')));
      await Promise.all(cluster.workers.map((worker) => worker.start()));
    },
  },
  {
    name: 'Redis at maxmemory (noeviction) for 5 s',
    async inject(cluster) {
      const redis = new Redis(await cluster.redis.primaryUrl());
      try {
        await redis.config('SET', 'maxmemory-policy', 'noeviction');
        await redis.config('SET', 'maxmemory', '1');
        await sleep(5000);
        await redis.config('SET', 'maxmemory', '0');
      } finally {
        redis.disconnect();
      }
    },
  },
  {
    name: 'telephony provider frozen (SIGSTOP the simulator) for 12 s',
    async inject(cluster) {
      // Longer than TWILIO_REQUEST_TIMEOUT_MS: Calls.create times out with its outcome unknown.
      await cluster.simulator.signal('SIGSTOP');
      await sleep(12_000);
      await cluster.simulator.signal('SIGCONT');
    },
  },
  {
    name: 'telephony provider killed (kill -9 the simulator), back after 2 s',
    inject: (cluster) => killFor(cluster.simulator, 2000),
  },
  {
    name: 'PostgreSQL connection slots all held for 5 s',
    async inject(cluster) {
      // Every free slot taken (new connections get 53300 "too many clients"); stepup's own open
      // connections go on working.
      const held: pg.Client[] = [];
      try {
        for (;;) {
          const client = new pg.Client({ connectionString: cluster.postgres.url });
          client.on('error', () => undefined);
          const connected = await client.connect().then(() => true, () => false);
          if (!connected) break;
          held.push(client);
          if (held.length > 500) break;
        }
        await sleep(5000);
      } finally {
        await Promise.all(held.map((client) => client.end().catch(() => undefined)));
      }
    },
  },
  {
    // Returns at the kill: "serving again after" is then the recovery time of the whole failover.
    name: 'Redis primary lost (kill -9), the replica promoted by three sentinels (timed from the kill)',
    async inject(cluster) {
      // What asynchronous replication lost is read around the kill (chaos/redis-loss.ts).
      const lost = await cluster.redis.primaryPort();
      const replica = cluster.redis.dataPorts.find((port) => port !== lost)!;
      let killed!: () => void;
      const atKill = new Promise<void>((resolve) => (killed = resolve));
      const loss = measureRedisLoss({ primary: lost, replica }, async () => {
        await cluster.redis.killPrimary();
        killed();
      });
      cluster.redisLosses.push(loss);
      await Promise.race([atKill, loss]);
      // Redundancy back for the faults after this one: the old server returns as a replica.
      void cluster.redis
        .waitForNewPrimary(lost, 60_000)
        .then(() => cluster.redis.restart(lost))
        .catch((error: unknown) => process.stderr.write(`[chaos] the lost Redis server did not come back: ${String(error)}\n`));
    },
  },
  {
    name: 'PostgreSQL primary lost (crash), the replica promoted and enabled behind HAProxy',
    async inject(cluster) {
      const started = performance.now();
      await cluster.postgres.failOver();
      process.stderr.write(`[chaos]   crash → replica promoted and enabled on HAProxy: ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    },
  },
];
