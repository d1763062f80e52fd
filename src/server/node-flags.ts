// The V8 flags stepup runs with wherever it is started for real (npm start, the Docker image, the chaos
// cluster) and wherever it is measured (npm run bench); test/foundation/node-flags.test.ts keeps them in
// step. README "Operations" says why each is there.
//   --no-memory-reducer: an idle process's heap is not shrunk (the first burst after a pause was slow).
//   --max-semi-space-size=64: a young generation of up to 64 MiB per semi-space, so a scavenge copies the
//     requests in flight a quarter as often as with V8's default 16 MiB.
export const productionNodeFlags = ['--no-memory-reducer', '--max-semi-space-size=64'];
