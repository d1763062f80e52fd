// The benchmark's baseline: bare express + one PostgreSQL insert + one BullMQ add per request — the
// least any challenge-creating server must do. Run by bench/run.ts on the same PostgreSQL and Redis.
import express from 'express';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

// Connections kept while idle, as stepup's pool does (src/storage/pg-db.ts): no reconnecting after a pause between runs.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, idleTimeoutMillis: 0, keepAlive: true });
await pool.query('CREATE TABLE IF NOT EXISTS baseline_rows (id text PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
const queue = new Queue('baseline', { connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 }), prefix: '{baseline}', defaultJobOptions: { removeOnComplete: true } });
const app = express();
app.use(express.json());
app.post('/baseline', async (req, res) => {
  const id = randomBytes(16).toString('base64url');
  await pool.query('INSERT INTO baseline_rows (id, body) VALUES ($1, $2)', [id, JSON.stringify(req.body)]);
  await queue.add('job', { id }, { jobId: id, delay: 300_000 });
  res.status(201).json({ id });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('baseline ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
