import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HttpResponse, HttpResponseError, HttpResponseReader } from '../../bench/http-response.ts';

/** Feeds wire in pieces of `step` bytes (every split point once across the steps tried) and collects responses. */
function read(wire: string, step: number, keepBody = true): HttpResponse[] {
  const out: HttpResponse[] = [];
  const r = new HttpResponseReader((x) => out.push(x));
  r.keepBody = keepBody;
  const bytes = Buffer.from(wire, 'latin1');
  for (let p = 0; p < bytes.length; p += step) r.push(bytes.subarray(p, p + step));
  assert.equal(r.busy, false, 'a response was left half read');
  return out;
}

const body = (r: HttpResponse) => Buffer.concat(r.chunks).toString('latin1');

const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n' +
  '5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n';
const CLOSE = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

describe('bench HTTP response reader', () => {
  test('reads Content-Length, chunked and empty bodies back to back, whatever the socket splits', () => {
    for (const step of [1, 2, 3, 7, 64, 10_000]) {
      const rs = read(LENGTH + CHUNKED + CLOSE + LENGTH, step);
      assert.deepEqual(
        rs.map((r) => [r.status, r.bytes, body(r), r.close]),
        [
          [200, 11, 'hello world', false],
          [200, 11, 'hello world', false],
          [404, 0, '', true],
          [200, 11, 'hello world', false],
        ],
        `step ${step}`,
      );
      assert.equal(rs[1].headers.get('content-encoding'), 'gzip');
    }
  });

  test('counts body bytes without keeping them when not asked to', () => {
    const [r] = read(LENGTH, 4, false);
    assert.equal(r.bytes, 11);
    assert.deepEqual(r.chunks, []);
  });

  test('rejects what it cannot frame', () => {
    assert.throws(() => read('HTTP/1.1 200 OK\r\n\r\nbody', 100), HttpResponseError);
    assert.throws(() => read('SSH-2.0-OpenSSH\r\n\r\n', 100), /not an HTTP/);
    assert.throws(() => read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 100), /chunk size/);
  });
});
