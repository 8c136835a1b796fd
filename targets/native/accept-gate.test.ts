import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createAcceptGate, listenSocket } from './accept-gate.js';

test('tryAccept takes a waiting connection at once and returns null when none waits', async (t) => {
  const { fd, port } = listenSocket('127.0.0.1', 0, 16);
  const polled: number[] = [];
  const gate = createAcceptGate(fd, (_error, client) => polled.push(client));
  t.after(() => {
    gate.close();
    closeSync(fd);
  });
  assert.equal(gate.tryAccept(), null);
  const client = connect(port, '127.0.0.1');
  t.after(() => client.destroy());
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const before = process.hrtime.bigint();
  const accepted = gate.tryAccept();
  assert.notEqual(accepted, null);
  const { fd: clientFd, acceptedAtNs } = accepted as { fd: number; acceptedAtNs: bigint };
  assert.ok(clientFd > 2);
  assert.equal(typeof acceptedAtNs, 'bigint');
  assert.ok(acceptedAtNs >= before && acceptedAtNs <= process.hrtime.bigint());
  closeSync(clientFd);
  // The gate was never resumed: the poll accepted nothing, and nothing else waits.
  assert.deepEqual(polled, []);
  assert.equal(gate.tryAccept(), null);
});

test('a closed gate accepts nothing', async (t) => {
  const { fd, port } = listenSocket('127.0.0.1', 0, 16);
  const gate = createAcceptGate(fd, () => {});
  t.after(() => closeSync(fd));
  const client = connect(port, '127.0.0.1');
  t.after(() => client.destroy());
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  gate.close();
  assert.equal(gate.tryAccept(), null);
});
