// What Redis's asynchronous replication lost when the primary died (fault 12), and whether the work
// behind each lost job was done anyway (docs/reliability.md, "What a lost Redis primary loses").
// Just before the kill the primary's keys and replication offset are read; right after it, before
// the sentinels promote anything (they wait down-after-milliseconds), the replica's — a replica
// takes no writes, so what it holds then is exactly what the promoted server starts with. A key on
// the primary and not on the replica was acknowledged to stepup and lost. Keys written between the
// read and the kill are not seen by the diff; the offsets count their bytes.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface RedisLoss {
  /** Bytes of replication stream the primary had produced that the replica never applied. */
  bytesBehind: number;
  keysOnPrimary: number;
  keysOnReplica: number;
  /** Keys on the primary just before the kill and missing on the replica it was replaced by. */
  lostKeys: string[];
}

async function keysOf(redis: Redis): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function replicationOffset(redis: Redis): Promise<number> {
  const info = await redis.info('replication');
  return Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? 0);
}

const connect = (port: number) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });

/** Reads the primary, runs `kill`, then reads the replica before it is promoted. */
export async function measureRedisLoss(ports: { primary: number; replica: number }, kill: () => Promise<void>): Promise<RedisLoss> {
  const primary = connect(ports.primary);
  const replica = connect(ports.replica);
  primary.on('error', () => undefined);
  replica.on('error', () => undefined);
  try {
    const before = await keysOf(primary);
    const primaryOffset = await replicationOffset(primary);
    await kill();
    // Whatever was already on its way (socket buffers) reaches the replica within moments.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await keysOf(replica);
    const replicaOffset = await replicationOffset(replica);
    return {
      bytesBehind: Math.max(0, primaryOffset - replicaOffset),
      keysOnPrimary: before.size,
      keysOnReplica: after.size,
      lostKeys: [...before].filter((key) => !after.has(key)).sort(),
    };
  } finally {
    primary.disconnect();
    replica.disconnect();
  }
}

/** A lost key, what it held, and whether its work was done by the end of the run. */
export interface LostKeyFate {
  key: string;
  kind: string;
  /** What happened to the work the key stood for (null: nothing to check, e.g. a nonce). */
  outcome: string | null;
  recovered: boolean | null;
}

/**
 * Names the lost keys (by `prefix`, stepup's QUEUE_PREFIX) and checks in PostgreSQL, after the run
 * has drained, that the work behind each lost job was done anyway — by the reconciler, the sweeps
 * or the next step of the flow.
 */
export async function fatesOf(lostKeys: string[], prefix: string, databaseUrl: string): Promise<LostKeyFate[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const challenge = async (id: string) =>
      (await client.query<{ status: string; hold_state: string | null }>('SELECT status, hold_state FROM challenges WHERE id = $1', [id])).rows[0];
    const fates: LostKeyFate[] = [];
    for (const key of lostKeys) {
      const rest = key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : null;
      const [queue, ...idParts] = rest ? rest.split(':') : [];
      const jobId = idParts.join(':');
      let match: RegExpExecArray | null;
      if (!rest) {
        fates.push({ key, kind: key.split(':')[0] ?? key, outcome: null, recovered: null });
      } else if (queue === 'ars-place-call' && (match = /^(chl_[A-Za-z0-9_-]+)-a(\d+)$/.exec(jobId))) {
        const attempt = (await client.query<{ status: string; end_reason: string | null }>(
          'SELECT status, end_reason FROM ars_call_attempts WHERE challenge_id = $1 AND attempt_number = $2', [match[1], Number(match[2])],
        )).rows[0];
        const ended = await challenge(match[1]!);
        fates.push({ key, kind: 'job: place call', outcome: attempt ? `attempt ${match[2]} ${attempt.end_reason ?? attempt.status}` : `never dialed; challenge ${ended?.status}`, recovered: Boolean(attempt) || (ended !== undefined && ended.status !== 'pending') });
      } else if (queue === 'challenge-expiry' && (match = /^exp-(chl_[A-Za-z0-9_-]+)$/.exec(jobId))) {
        const ended = await challenge(match[1]!);
        fates.push({ key, kind: 'job: challenge expiry', outcome: `challenge ${ended?.status}`, recovered: ended !== undefined && ended.status !== 'pending' });
      } else if (queue === 'webhook-delivery' && jobId && !jobId.includes(':') && /^evt_/.test(jobId)) {
        const delivery = (await client.query<{ status: string }>('SELECT status FROM webhook_deliveries WHERE id = $1', [jobId])).rows[0];
        fates.push({ key, kind: 'job: event delivery', outcome: `delivery ${delivery?.status}`, recovered: delivery?.status === 'delivered' });
      } else if (queue === 'hold-release' && (match = /^hold-rel-(chl_[A-Za-z0-9_-]+)$/.exec(jobId))) {
        const ended = await challenge(match[1]!);
        fates.push({ key, kind: 'job: hold release', outcome: `hold ${ended?.hold_state}`, recovered: ended?.hold_state !== 'held' });
      } else {
        // BullMQ's own structures (lists, the id counter, events, locks), rate limits, sessions.
        fates.push({ key, kind: `${queue}:${jobId.replace(/[A-Za-z0-9_-]{12,}/g, '…')}`, outcome: null, recovered: null });
      }
    }
    return fates;
  } finally {
    await client.end();
  }
}

/** The job schedulers that run the sweeps (the ARS reconciler, the maintenance sweep): each must still have a next run. */
export async function unscheduledSweeps(redisUrl: string, prefix: string): Promise<string[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const missing: string[] = [];
  try {
    for (const name of ['ars-reconcile', 'maintenance']) {
      const queue = new Queue(name, { connection, prefix });
      try {
        const schedulers = await queue.getJobSchedulers();
        const alive = schedulers.some((scheduler) => typeof scheduler.next === 'number' && scheduler.next > Date.now() - 60_000);
        if (!alive) missing.push(`${name}: ${schedulers.length === 0 ? 'no scheduler' : 'next run overdue'}`);
      } finally {
        await queue.close();
      }
    }
  } finally {
    connection.disconnect();
  }
  return missing;
}

/** The report's lines for one lost primary: what was lost, by kind, and what became of its work. */
export function describeLoss(loss: RedisLoss, fates: LostKeyFate[]): string[] {
  const kinds = new Map<string, LostKeyFate[]>();
  for (const fate of fates) kinds.set(fate.kind, [...(kinds.get(fate.kind) ?? []), fate]);
  return [
    `Redis primary lost: the replica was ${loss.bytesBehind} bytes of replication stream behind; ${loss.lostKeys.length} of the ${loss.keysOnPrimary} keys on the primary just before the kill were missing on the replica that replaced it (${loss.keysOnReplica} keys).`,
    ...(fates.length === 0
      ? []
      : [
          '',
          '| lost key | count | what became of its work by the end of the run |',
          '|---|---|---|',
          ...[...kinds].map(([kind, of]) => {
            const checked = of.filter((fate) => fate.recovered !== null);
            const outcomes = [...new Set(checked.map((fate) => fate.outcome))].slice(0, 4).join('; ');
            return `| ${kind} | ${of.length} | ${checked.length === 0 ? '— (nothing to redo)' : `${checked.filter((fate) => fate.recovered).length} of ${checked.length} done (${outcomes})`} |`;
          }),
        ]),
  ];
}
