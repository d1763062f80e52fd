// Every problem code the server can answer with: the core codes (src/errors/problem.ts) and each
// module's own. A code means one thing: two declarations of the same code stop the server at start-up.
import { problemCodes, type ProblemCatalogue } from '../errors/problem.ts';
import type { ChannelModule } from '../channels/channel-module.ts';

export function problemCatalogue(modules: Pick<ChannelModule, 'name' | 'problemCodes'>[]): ProblemCatalogue {
  const catalogue: ProblemCatalogue = { ...problemCodes };
  const declaredBy = new Map<string, string>(Object.keys(problemCodes).map((code) => [code, 'the core']));
  for (const module of modules) {
    for (const [code, kind] of Object.entries(module.problemCodes ?? {})) {
      const earlier = declaredBy.get(code);
      if (earlier !== undefined) throw new Error(`problem code "${code}" of the ${module.name} module is already declared by ${earlier}`);
      declaredBy.set(code, `the ${module.name} module`);
      catalogue[code] = kind;
    }
  }
  return catalogue;
}
