// Preloaded into a server under test by bench/profile.ts (BENCH_PROFILE_KIND=heap): V8's sampling
// heap profiler, over the load only. The first SIGUSR2 starts sampling (then `<file>.started`
// appears), the second stops it and writes the profile to `<file>`. Objects already collected by
// the garbage collector stay in the samples, so the profile shows what was allocated during the
// load — the work the collector has to do — not only what was still alive at the end, as
// node's --heap-prof does. BENCH_PROFILE_SURVIVORS=1 drops the samples of objects a young-generation
// collection freed: what is left was promoted to the old generation (whether a later major GC freed
// it or not), by allocation site.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_SAMPLE_FILE!;
const includeYoungGarbage = process.env.BENCH_PROFILE_SURVIVORS !== '1';
const session = new Session();
session.connect();
let sampling = false;

process.on('SIGUSR2', () => {
  const next = sampling
    ? session.post('HeapProfiler.stopSampling').then(({ profile }) => writeFileSync(file, JSON.stringify(profile)))
    : session
        .post('HeapProfiler.enable')
        // One sample per 32 KiB allocated on average (V8's default); every allocation is a candidate.
        .then(() => session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: includeYoungGarbage }))
        .then(() => writeFileSync(`${file}.started`, ''));
  sampling = !sampling;
  next.catch((error: unknown) => process.stderr.write(`heap sampler: ${String(error)}\n`));
});
