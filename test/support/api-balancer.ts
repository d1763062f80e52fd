// HAProxy in front of several stepup API processes, as production runs them (docs/deployment.md,
// "API processes behind a load balancer"), on 127.0.0.1. Two backends over the same processes:
// - `twilio` (paths under /twilio/): checked on /healthz, a process that is up and listening. A
//   webhook that meets a dependency outage rides it out inside the process
//   (ARS_WEBHOOK_PATIENCE_MS), which only helps when it reaches one; /readyz fails on every process
//   at once in such an outage. A refused or reset connection, an empty answer or a 503 (a process
//   draining after SIGTERM refuses with 503) is retried on the other process: replaying a webhook is
//   safe (each is one transaction on its locked attempt; a step already taken answers its reply again).
//   When every check fails (processes too starved to answer /healthz within `timeout check`), the
//   same processes, unchecked, are backups: a webhook tried on a slow process may still be answered,
//   one answered by the balancer's 503 ends the call.
// - `bank` (everything else): checked on /readyz; only a connection that was refused is retried
//   elsewhere (the request never reached stepup). A request that reached a process may have been done:
//   the bank's own retry, with its Idempotency-Key and a fresh nonce, settles it.
// The balancer's own 503 (no process up) is problem+json with Retry-After, like stepup's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ApiBalancerOptions {
  /** The API processes' ports on 127.0.0.1, in order (server names api1, api2, …). */
  ports: number[];
  /** HAProxy's `balance`: roundrobin (default) or first (every request to the first server that is up). */
  balance?: 'roundrobin' | 'first';
  /**
   * Health checks every `checkIntervalMs` (every check interval, transitions included); default 500 ms,
   * 250 ms while a server changes state. A test that must see the retry, not the check, sets it long.
   */
  checkIntervalMs?: number;
  /** The webhooks' L7 retries and redispatch (default true); false is a balancer that only health-checks. */
  retries?: boolean;
  /** One line per request on HAProxy's output (`option httplog`: status, retries, termination state). */
  accessLog?: boolean;
}

/** The HAProxy configuration for `options`, listening on `port`. */
export function apiBalancerConfig(port: number, options: ApiBalancerOptions): string {
  const inter = options.checkIntervalMs ?? 500;
  const fastinter = options.checkIntervalMs ?? 250;
  const retries = options.retries ?? true;
  const servers = (check: string) => options.ports.map((serverPort, index) => `  server api${index + 1} 127.0.0.1:${serverPort} check ${check}`);
  const backups = options.ports.map((serverPort, index) => `  server api${index + 1}-unchecked 127.0.0.1:${serverPort} backup`);
  const check = `inter ${inter}ms fastinter ${fastinter}ms downinter ${inter}ms fall 2 rise 2`;
  return [
    'global',
    '  maxconn 4000',
    ...(options.accessLog ? ['  log stderr format raw local0 info'] : []),
    'defaults',
    '  mode http',
    ...(options.accessLog ? ['  log global', '  option httplog'] : []),
    '  option forwardfor',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout queue 5s',
    '  timeout check 2s',
    // The whole request is read before a server is chosen: a POST body can be sent again.
    '  option http-buffer-request',
    '  http-error status 503 content-type application/problem+json string \'{"type":"https://stepup.dev/problems/service-unavailable","title":"A dependency is unavailable; retry later","status":503,"code":"service_unavailable","detail":"No API process is available; retry shortly"}\' hdr retry-after 1',
    'frontend stepup',
    `  bind 127.0.0.1:${port}`,
    '  use_backend twilio if { path_beg /twilio/ }',
    '  default_backend bank',
    'backend twilio',
    `  balance ${options.balance ?? 'roundrobin'}`,
    '  option httpchk GET /healthz',
    ...(retries ? ['  retries 3', '  option redispatch 1', '  retry-on 503 conn-failure empty-response'] : ['  retries 0', '  retry-on none']),
    ...servers(check),
    '  option allbackups',
    ...backups,
    'backend bank',
    `  balance ${options.balance ?? 'roundrobin'}`,
    '  option httpchk GET /readyz',
    ...(retries ? ['  retries 3', '  option redispatch 1', '  retry-on conn-failure'] : ['  retries 0', '  retry-on none']),
    ...servers(check),
    '',
  ].join('\n');
}

/** HAProxy in front of the API processes; `url` is what the bank, Twilio and PUBLIC_BASE_URL use. */
export class ApiBalancer {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A free port for the balancer, chosen before the API processes start (their PUBLIC_BASE_URL names it). */
  static async reserve(): Promise<ApiBalancer> {
    return new ApiBalancer(await freePort(), mkdtempSync(join(tmpdir(), 'stepup-lb-')));
  }

  /** Starts HAProxy; `log` receives its output (server state changes, warnings). */
  async start(options: ApiBalancerOptions, log?: (chunk: Buffer) => void): Promise<void> {
    const config = join(this.dir, 'haproxy.cfg');
    writeFileSync(config, apiBalancerConfig(this.port, options));
    this.process = spawn(process.env.HAPROXY_BIN || 'haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    this.process.stderr!.on('data', (chunk: Buffer) => {
      if (errors.length < 20_000) errors += chunk.toString();
      log?.(chunk);
    });
    for (let tries = 0; tries < 200; tries += 1) {
      if (this.process.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
      if (await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false)) return;
      await sleep(50);
    }
    throw new Error(`haproxy did not serve: ${errors}`);
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (running && running.exitCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
