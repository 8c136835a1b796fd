import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAcceptGate, listenSocket } from './accept-gate.js';

test('resume(true) accepts a waiting connection before it returns; resume() waits for the loop', async (t) => {
  const listening = listenSocket('127.0.0.1', 0, 16);
  t.after(() => closeSync(listening.fd));
  const clients = [0, 1].map(() => connect({ host: '127.0.0.1', port: listening.port }));
  t.after(() => {
    for (const c of clients) c.destroy();
  });
  await Promise.all(clients.map((c) => once(c, 'connect')));
  const accepted: number[] = [];
  const gate = createAcceptGate(listening.fd, (error, fd) => {
    assert.equal(error, null);
    accepted.push(fd);
    gate.pause();
  });
  t.after(() => {
    gate.close();
    for (const fd of accepted) closeSync(fd);
  });
  gate.resume(true);
  assert.equal(accepted.length, 1, 'the eager accept happened inside resume(true)');
  gate.resume();
  assert.equal(accepted.length, 1, 'a plain resume accepts on a later turn of the loop');
  for (let i = 0; i < 100 && accepted.length < 2; i++) await sleep(10);
  assert.equal(accepted.length, 2);
  // Nothing waiting: an eager resume returns without calling back, and keeps polling.
  gate.resume(true);
  assert.equal(accepted.length, 2);
});
