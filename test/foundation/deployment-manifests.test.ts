// The Kubernetes manifests of docs/deployment.md (deploy/kubernetes/stepup.json), checked against the
// configuration schema: every variable they set is one stepup reads and the values load; probes,
// graceful termination and the disruption budget match what the server does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { envSchema, loadConfig } from '../../src/config/config.ts';
import { channelModules } from '../../src/server/channel-modules.ts';

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }
interface Container {
  env: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface Item { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: any }

const manifest = JSON.parse(readFileSync('deploy/kubernetes/stepup.json', 'utf8')) as { kind: string; items: Item[] };
const deployment = (name: string) => manifest.items.find((item) => item.kind === 'Deployment' && item.metadata.name === name)!;
const containerOf = (item: Item) => item.spec.template.spec.containers[0] as Container;

/** What the bank puts in the secret: values of the right shape for each variable. */
const secretValues: Record<string, string> = {
  DATABASE_URL: 'postgres://stepup@pg-haproxy:5432/stepup',
  MASTER_KEY: randomBytes(32).toString('base64'),
  ADMIN_TOKEN: randomBytes(24).toString('base64url'),
  METRICS_TOKEN: randomBytes(24).toString('base64url'),
  TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
  TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
  REDIS_PASSWORD: 'redis-password',
  REDIS_SENTINEL_PASSWORD: 'sentinel-password',
};

const envOf = (container: Container) =>
  Object.fromEntries(container.env.map((variable) => [variable.name, variable.value ?? secretValues[variable.name] ?? assert.fail(`no test value for secret ${variable.name}`)]));

for (const [name, role] of [['stepup-api', 'api'], ['stepup-worker', 'worker']] as const) {
  test(`${name}: every variable is one stepup reads, and the configuration loads (role ${role}, Redis through three sentinels)`, () => {
    const container = containerOf(deployment(name));
    // The core's variables and the shipped modules' own (ChannelModule.config).
    const known = new Set([...Object.keys(envSchema.shape), ...channelModules.flatMap((module) => Object.keys(module.config ?? {}))]);
    for (const variable of container.env) assert.ok(known.has(variable.name), `${variable.name} is not a stepup variable`);
    const config = loadConfig(envOf(container), channelModules);
    assert.equal(config.role, role);
    assert.equal(config.redis.sentinels?.length, 3);
    assert.ok(config.twilio, 'Twilio configured');
    // Kubernetes' grace covers the preStop pause (the endpoints drop the pod) and SHUTDOWN_GRACE_MS, with room to close.
    const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command[1] ?? 0);
    const terminationSeconds = deployment(name).spec.template.spec.terminationGracePeriodSeconds as number;
    assert.ok(terminationSeconds * 1000 >= preStopSeconds * 1000 + config.shutdownGraceMs + 5000, `terminationGracePeriodSeconds ${terminationSeconds} too short for SHUTDOWN_GRACE_MS ${config.shutdownGraceMs}`);
  });
}

test('stepup-api: readiness is /readyz and liveness /healthz on the port it listens on; a rolling update keeps every pod until its successor is ready', () => {
  const api = deployment('stepup-api');
  const container = containerOf(api);
  const config = loadConfig(envOf(container), channelModules);
  const http = container.ports!.find((port) => port.name === 'http')!;
  assert.equal(http.containerPort, config.port);
  assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
  assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http' });
  assert.equal(api.spec.strategy.rollingUpdate.maxUnavailable, 0);
});

test('PodDisruptionBudgets select the api and worker pods and leave at least one of each running', () => {
  for (const name of ['stepup-api', 'stepup-worker']) {
    const pods = deployment(name).spec.template.metadata.labels as Record<string, string>;
    const budget = manifest.items.find((item) => item.kind === 'PodDisruptionBudget' && item.metadata.name === name);
    assert.ok(budget, `a PodDisruptionBudget for ${name}`);
    for (const [key, value] of Object.entries(budget.spec.selector.matchLabels as Record<string, string>)) assert.equal(pods[key], value);
    assert.ok(budget.spec.minAvailable >= 1 && budget.spec.minAvailable < deployment(name).spec.replicas);
  }
});

test('docs/deployment.md names the manifests', () => {
  assert.match(readFileSync('docs/deployment.md', 'utf8'), /deploy\/kubernetes\/stepup\.json/);
});
