import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create();
await db.exec('create table t (id serial primary key, a text, b int, c jsonb); create index on t(b);');
for (const setting of process.argv.slice(2)) await db.exec(setting);
const cpu0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < 3000; i += 1) {
  await db.transaction(async (tx) => {
    await tx.query('insert into t (a, b, c) values ($1, $2, $3)', ['x' + i, i % 50, JSON.stringify({ i })]);
    await tx.query('update t set b = b + 1 where id = $1', [i + 1]);
    await tx.query('select * from t where b = $1 limit 5', [i % 50]);
  });
}
const cpu = process.cpuUsage(cpu0);
console.log(process.argv.slice(2).join(' ') || 'default', 'wall', (performance.now() - t0).toFixed(0), 'user', (cpu.user / 1000).toFixed(0), 'sys', (cpu.system / 1000).toFixed(0));
