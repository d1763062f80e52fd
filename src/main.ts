// `npm start`: runs stepup from the environment alone (STEPUP_ROLE=all|api|worker).
import { loadConfig, ConfigError } from './config/config.ts';
import { startServer } from './server/start-server.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`stepup: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}

const running = await startServer(config);
const shutdown = (signal: string) => {
  running.context.logger.info({ signal }, 'shutting down');
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      running.context.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
