import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { type Accepted, createAcceptGate, listenSocket } from './accept-gate.js';

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
  const { fd: clientFd, acceptedAtNs, head } = accepted as Accepted;
  assert.ok(clientFd > 2);
  // The client sent nothing: there is no head to read.
  assert.equal(head, null);
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

test('both ways of accepting hand over what the client had already sent', async (t) => {
  const { fd, port } = listenSocket('127.0.0.1', 0, 16);
  const polled: Array<{ fd: number; head: Buffer | null }> = [];
  const gate = createAcceptGate(fd, (_error, client, _at, head) =>
    polled.push({ fd: client, head }),
  );
  t.after(() => {
    gate.close();
    closeSync(fd);
  });
  const sent = 'GET /work?ms=1 HTTP/1.1\r\nhost: a\r\n\r\n';
  const send = async () => {
    const client = connect(port, '127.0.0.1');
    t.after(() => client.destroy());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await new Promise<void>((resolve) => client.write(sent, () => resolve()));
    // Loopback delivers before write's callback returns; a short wait keeps it certain.
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  await send();
  const accepted = gate.tryAccept();
  assert.notEqual(accepted, null);
  assert.equal(accepted?.head?.toString('latin1'), sent);
  closeSync((accepted as Accepted).fd);
  await send();
  gate.resume();
  for (let i = 0; i < 100 && polled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(polled.length, 1);
  assert.equal(polled[0]?.head?.toString('latin1'), sent);
  closeSync((polled[0] as { fd: number }).fd);
});
