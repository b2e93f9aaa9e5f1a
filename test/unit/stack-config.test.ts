import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkCidr,
  cidrsOverlap,
  DEFAULT_ALLOW,
  DEFAULT_STACK_CONFIG,
  DOCKER_BRIDGE_RANGE,
  parseStackConfig,
  publicEndpoint,
  StackConfigError,
  targetAddresses,
} from '../../src/config/redoubt-yml.ts';
import { renderNginxConf } from '../../src/stack/nginx.ts';

function rejects(yaml: string, pattern: RegExp): void {
  assert.throws(
    () => parseStackConfig(yaml, 'redoubt.yml'),
    (err: Error) => {
      assert.ok(err instanceof StackConfigError, `${err.name}: ${err.message}`);
      assert.match(err.message, /^redoubt\.yml: /);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('redoubt.yml', () => {
  test('empty or absent sections give the defaults', () => {
    assert.deepEqual(parseStackConfig('', 'x'), DEFAULT_STACK_CONFIG);
    assert.deepEqual(parseStackConfig('# nothing\n', 'x'), DEFAULT_STACK_CONFIG);
    assert.deepEqual(parseStackConfig('proxy:\n', 'x'), DEFAULT_STACK_CONFIG);
  });

  test('every key can be set', () => {
    const c = parseStackConfig(
      [
        'redis: { targets: ["redis://10.0.0.5:6379", "rediss://cache.internal:6380"], tlsCaFile: tls/ca.crt }',
        'prometheus: { retention: 1w2d }',
        'alertmanager: { webhookUrl: "https://hooks.example.internal/a" }',
        'grafana: { adminUser: ops }',
        'proxy: { publicUrl: "https://mon.example.internal:8443/", allow: [10.0.0.0/8, "fd00::/8"], user: oncall }',
        'exporter: { buildContext: ../redoubt }',
      ].join('\n'),
    );
    assert.deepEqual(c.redis.targets, ['redis://10.0.0.5:6379', 'rediss://cache.internal:6380']);
    assert.equal(c.prometheus.retention, '1w2d');
    assert.equal(c.alertmanager.webhookUrl, 'https://hooks.example.internal/a');
    assert.equal(c.grafana.adminUser, 'ops');
    assert.equal(c.proxy.publicUrl, 'https://mon.example.internal:8443', 'normalised to the origin');
    assert.deepEqual(publicEndpoint(c), {
      origin: 'https://mon.example.internal:8443',
      host: 'mon.example.internal',
      port: 8443,
    });
    assert.deepEqual(c.proxy.allow, ['10.0.0.0/8', 'fd00::/8']);
    assert.equal(c.proxy.user, 'oncall');
    assert.equal(c.exporter.buildContext, '../redoubt');
    // The scheme stays: rediss://cache.internal:6380 must not also allow plaintext to it.
    assert.deepEqual(targetAddresses(c), ['redis://10.0.0.5:6379', 'rediss://cache.internal:6380']);
  });

  test('errors name the key and say what is accepted', () => {
    rejects(
      'proxy: { alow: [10.0.0.0/8] }',
      /"proxy\.alow" is not a known key; known keys under proxy: publicUrl, allow, user/,
    );
    rejects('grafna: {}', /"grafna" is not a known section/);
    rejects('redis: { targets: [] }', /redis\.targets must be a non-empty list/);
    rejects('redis: { targets: redis://a:6379 }', /redis\.targets must be a non-empty list/);
    rejects('redis: { targets: [redis://a:6379, 5] }', /redis\.targets\[1\] must be a non-empty string/);
    rejects('redis: { targets: ["redis://:s3cret@a:6379"] }', /redis\.targets\[0\] holds a password/);
    rejects('redis: { targets: ["unix:///run/redis.sock"] }', /redis\.targets\[0\] .*redis:\/\/ or rediss:\/\//);
    rejects('redis: { targets: ["a:6379"] }', /redis\.targets\[0\] "a:6379" must be a redis:\/\//);
    rejects('redis: { targets: ["redis://a:6379", "redis://a:6379/0"] }', /redis\.targets\[1\] .* listed twice/);
    rejects('redis: { targets: ["redis://a:99999"] }', /redis\.targets\[0\] "redis:\/\/a:99999" is not a Redis URL/);
    rejects('prometheus: { retention: 15 }', /prometheus\.retention must be a non-empty string/);
    rejects('prometheus: { retention: 15x }', /prometheus\.retention "15x" is not a Prometheus duration/);
    rejects('prometheus: { retention: 0d }', /prometheus\.retention "0d"/);
    rejects('alertmanager: { webhookUrl: "ftp://x/" }', /alertmanager\.webhookUrl must be an http/);
    rejects('grafana: { adminUser: "a b" }', /grafana\.adminUser "a b" may only hold/);
    rejects('proxy: { publicUrl: "http://x" }', /proxy\.publicUrl "http:\/\/x" must be an https:\/\/ URL/);
    rejects('proxy: { publicUrl: "https://x/grafana" }', /proxy\.publicUrl .* without a path/);
    rejects('proxy: { allow: [10.0.0.0/33] }', /proxy\.allow\[0\] "10\.0\.0\.0\/33" has a prefix length outside 0-32/);
    rejects('proxy: { allow: [127.0.0.1, localhost] }', /proxy\.allow\[1\] "localhost" is not an IP address or CIDR/);
    rejects('proxy: { allow: [0.0.0.0/0] }', /proxy\.allow\[0\] "0\.0\.0\.0\/0" lets every address in/);
    rejects('proxy: { allow: [10.0.0.0/8, 10.1.2.3/0] }', /proxy\.allow\[1\] "10\.1\.2\.3\/0" lets every address in/);
    rejects('proxy: { allow: ["fd00::/0"] }', /proxy\.allow\[0\] "fd00::\/0" lets every address in/);
    rejects('proxy: [1]', /proxy must be a mapping/);
    rejects('proxy: { allow: [0.0.0.0/1, 128.0.0.0/1] }', /proxy\.allow\[0\] "0\.0\.0\.0\/1" is broader than \/8/);
    rejects('proxy: { allow: ["::/1", "8000::/1"] }', /proxy\.allow\[0\] "::\/1" is broader than \/7/);
    rejects(
      `proxy: { allow: [${Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`).join(', ')}] }`,
      /proxy\.allow \[0\.0\.0\.0\/8, .*\] together let every address in/,
    );
    rejects(
      'proxy: { publicUrl: "https://a$({touch,x})b.example.com" }',
      /proxy\.publicUrl .* letters, digits, hyphens/,
    );
    rejects(
      'alertmanager: { webhookUrl: "https://hooks.example/a\\nb" }',
      /alertmanager\.webhookUrl holds a control character/,
    );
    rejects(
      'redis: { targets: ["redis://10.0.0.5,169.254.169.254:6379"] }',
      /redis\.targets\[0\] .* not a DNS name or an IP address \(one host per target/,
    );
    rejects('redis: { targets: ["rediss://cache.internal:6380"] }', /redis\.tlsCaFile is needed for rediss:\/\/cache/);
    rejects(
      'redis: { targets: ["rediss://c:6380"], tlsCaFile: ca.crt, tlsClientCertFile: c.crt }',
      /redis\.tlsClientCertFile and redis\.tlsClientKeyFile go together/,
    );
    rejects('- a', /expected a mapping of sections/);
    rejects('proxy: { allow: [', /not valid YAML/);
  });

  test('allowlists as broad as the rules allow are accepted', () => {
    const c = parseStackConfig('proxy: { allow: [10.0.0.0/8, 11.0.0.0/8, "fc00::/7", 192.168.1.1] }');
    assert.deepEqual(c.proxy.allow, ['10.0.0.0/8', '11.0.0.0/8', 'fc00::/7', '192.168.1.1']);
  });

  test('a password in a target never appears in the error', () => {
    assert.throws(
      () => parseStackConfig('redis: { targets: ["redis://u:hunter2@a:bad"] }'),
      (err: Error) => !err.message.includes('hunter2'),
    );
  });

  test("the default allowlist leaves out Docker's bridge range, where relayed connections come from", () => {
    assert.equal(DOCKER_BRIDGE_RANGE, '172.16.0.0/12');
    assert.deepEqual(DEFAULT_STACK_CONFIG.proxy.allow, DEFAULT_ALLOW);
    for (const gateway of ['172.17.0.1', '172.18.0.1', '172.31.255.1'])
      assert.ok(
        !DEFAULT_ALLOW.some((a) => cidrsOverlap(a, gateway)),
        `${gateway} (a Docker network's gateway) is allowed by default`,
      );
    assert.ok(!DEFAULT_ALLOW.some((a) => cidrsOverlap(a, DOCKER_BRIDGE_RANGE)));
    assert.ok(DEFAULT_ALLOW.includes('127.0.0.1'), "nginx's healthcheck comes from 127.0.0.1 inside its container");
  });

  test("nginx's allowlist lets its healthcheck (127.0.0.1) in, once, whatever proxy.allow says", () => {
    const geo = (allow: string[]) => {
      const conf = renderNginxConf({ ...DEFAULT_STACK_CONFIG, proxy: { ...DEFAULT_STACK_CONFIG.proxy, allow } });
      const block = conf.slice(conf.indexOf('geo $redoubt_allowed_client {'));
      return block
        .slice(0, block.indexOf('}'))
        .split('\n')
        .slice(2, -1)
        .map((l) => l.trim().split(/\s+/)[0]);
    };
    assert.deepEqual(geo(['10.0.0.0/8']), ['10.0.0.0/8', '127.0.0.1']);
    assert.deepEqual(geo(['127.0.0.1', '10.0.0.0/8']), ['127.0.0.1', '10.0.0.0/8']);
    assert.deepEqual(geo(['127.0.0.0/8']), ['127.0.0.0/8'], 'already covered');
  });

  test('cidrsOverlap', () => {
    for (const [a, b] of [
      ['172.16.0.0/12', '172.18.0.1'],
      ['172.18.0.0/16', '172.16.0.0/12'],
      ['0.0.0.0/0', '8.8.8.8'],
      ['10.1.2.3', '10.1.2.3/32'],
      ['172.31.255.255', '172.16.0.0/12'],
    ])
      assert.ok(cidrsOverlap(a, b) && cidrsOverlap(b, a), `${a} ~ ${b}`);
    for (const [a, b] of [
      ['172.16.0.0/12', '172.32.0.1'],
      ['172.16.0.0/12', '172.15.255.255'],
      ['10.0.0.0/8', '192.168.0.0/16'],
      ['fc00::/7', '172.16.0.0/12'],
    ])
      assert.ok(!cidrsOverlap(a, b) && !cidrsOverlap(b, a), `${a} !~ ${b}`);
  });

  test('checkCidr', () => {
    for (const ok of ['127.0.0.1', '::1', '10.0.0.0/8', '0.0.0.0/0', 'fd00::/8', '2001:db8::/128'])
      assert.equal(checkCidr(ok), undefined, ok);
    for (const bad of ['10.0.0.0/', '10.0.0/8', '::1/129', '1.2.3.4/8/8', 'x', '10.0.0.0/-1'])
      assert.notEqual(checkCidr(bad), undefined, bad);
  });
});
