import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionGate, ConnectionWaitTimeout, onCallPath } from './connection-gate.ts';

const held = () => {
  let free!: () => void;
  const done = new Promise<void>((resolve) => (free = resolve));
  return { done, free };
};

test('other work leaves the reserved slots to the call path, and a waiting call goes first', async () => {
  const gate = new ConnectionGate({ max: 3, reserved: 1, waitMs: 5000 });
  const order: string[] = [];
  const bank = [held(), held()];
  const running = bank.map((slot, i) => gate.around(async () => { order.push(`bank ${i}`); await slot.done; }));
  // Two of three slots taken by other work: a third bank request waits, a call does not.
  const third = gate.around(async () => { order.push('bank 2'); });
  const call = onCallPath(() => gate.around(async () => { order.push('call'); }));
  await call;
  assert.deepEqual(order, ['bank 0', 'bank 1', 'call']);
  // A call that arrives while other work waits is served before it when a slot frees.
  const callSlot = held();
  const longCall = onCallPath(() => gate.around(async () => { order.push('call 2'); await callSlot.done; }));
  const waitingCall = onCallPath(() => gate.around(async () => { order.push('call 3'); }));
  bank[0]!.free();
  await waitingCall;
  assert.deepEqual(order.slice(3), ['call 2', 'call 3']);
  callSlot.free();
  bank[1]!.free();
  await Promise.all([...running, third, longCall]);
  assert.deepEqual(order.slice(5), ['bank 2']);
});

test('a wait longer than waitMs fails the way a pool timeout does', async () => {
  const gate = new ConnectionGate({ max: 1, reserved: 0, waitMs: 20 });
  const slot = held();
  const holding = gate.around(() => slot.done);
  await assert.rejects(gate.around(async () => undefined), (error: unknown) => error instanceof ConnectionWaitTimeout && /timeout exceeded when trying to connect/.test(error.message));
  slot.free();
  await holding;
  await gate.around(async () => undefined);
});
