// `npm start`: runs stepup from the environment alone (STEPUP_ROLE=all|api|worker).
import { loadConfig, ConfigError } from './config/config.ts';
import { startServer } from './server/start-server.ts';
import { channelModules } from './server/channel-modules.ts';
import { exitOnSignals } from './server/exit-on-signals.ts';
import { FolderInUseError } from './storage/folder-lock.ts';

let config;
try {
  config = loadConfig(process.env, channelModules);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`stepup: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

const running = await startServer(config).catch((error: unknown) => {
  // A folder held by another process is an operator's mistake, said in one line, not a stack.
  if (error instanceof FolderInUseError) {
    process.stderr.write(`stepup: ${error.message}\n`);
    process.exit(75);
  }
  throw error;
});
exitOnSignals({ close: () => running.close(), graceMs: config.shutdownGraceMs, logger: running.context.logger });
