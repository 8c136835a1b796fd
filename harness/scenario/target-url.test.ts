import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTargetUrl, isLoopbackHost, remoteHostsNotAllowed } from './target-url.js';

test('loopback addresses and localhost count as this machine', () => {
  for (const host of [
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'api.localhost',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
  ])
    assert.ok(isLoopbackHost(host), host);
  for (const host of ['10.0.0.1', 'example.com', '::2', '128.0.0.1', 'localhost.example.com'])
    assert.ok(!isLoopbackHost(host), host);
});

test('a remote host is refused unless named with --allow-remote', () => {
  const urls = ['http://127.0.0.1:8000/', 'http://staging.example.com/work', 'http://[::1]:9/'];
  assert.deepEqual(remoteHostsNotAllowed(urls, []), ['staging.example.com']);
  assert.deepEqual(remoteHostsNotAllowed(urls, ['STAGING.example.com']), []);
});

test('only plain http URLs without credentials are targets', () => {
  assert.equal(checkTargetUrl('http://127.0.0.1:8000/work?ms=5'), null);
  assert.match(checkTargetUrl('https://x.test/')?.message ?? '', /https URLs are not supported/);
  assert.match(checkTargetUrl('not a url')?.message ?? '', /not a URL/);
  assert.match(checkTargetUrl('http://u:p@127.0.0.1/')?.message ?? '', /credentials/);
});
