// Imported for its effect, before a test process starts its first PGlite (pglite-snapshot.ts imports it,
// and so every test server's database): the process keeps WebAssembly on V8's baseline compiler
// (Liftoff). V8 otherwise optimizes PGlite's hot functions (TurboFan), which cost about 1.7 s of CPU in
// every process that starts a PGlite and did not pay back within a test process's life (docs/architecture.md,
// "The suite"). Only the suite's own processes: stepup and the demo, started as children, run as
// production does.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
