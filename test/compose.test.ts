import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

type Yaml = string | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

/** A service of the resolved file, as far as these tests read it. */
interface Service {
  image?: string;
  build?: { dockerfile: string; context: string };
  environment?: Record<string, string>;
  volumes?: Yaml[];
  ports?: Yaml[];
  healthcheck?: { test: string[] };
  depends_on?: YamlMap;
  restart?: string;
  profiles?: Yaml[];
}

function scalar(text: string): Yaml {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (text.startsWith('"') && text.endsWith('"')) return JSON.parse(text) as string;
  return text;
}

/**
 * Parses the block-style YAML that `docker-compose config` prints: mappings, sequences (of scalars or of
 * mappings) and plain or quoted scalars, which is all its normalized output uses.
 */
function parseComposeYaml(text: string): Yaml {
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let i = 0;
  const isItem = (index: number) => lines[index].text === '-' || lines[index].text.startsWith('- ');

  function block(): Yaml {
    return isItem(i) ? sequence(lines[i].indent) : mapping(lines[i].indent);
  }

  function sequence(indent: number): Yaml[] {
    const items: Yaml[] = [];
    while (i < lines.length && lines[i].indent === indent && isItem(i)) {
      const rest = lines[i].text.slice(1).trim();
      if (rest === '') {
        i++;
        items.push(block());
      } else if (/^[^'"][^:]*:( |$)/.test(rest)) {
        lines[i] = { indent: indent + 2, text: rest };
        items.push(mapping(indent + 2));
      } else {
        items.push(scalar(rest));
        i++;
      }
    }
    return items;
  }

  function mapping(indent: number): { [key: string]: Yaml } {
    const map: { [key: string]: Yaml } = {};
    while (i < lines.length && lines[i].indent === indent && !isItem(i)) {
      const match = /^([^:]+):(?: (.*))?$/.exec(lines[i].text);
      if (!match) throw new Error(`unexpected YAML line: ${lines[i].text}`);
      i++;
      const key = scalar(match[1]) as string;
      if (match[2] !== undefined && match[2] !== '') {
        map[key] = scalar(match[2]);
        continue;
      }
      const nested = i < lines.length && (lines[i].indent > indent || (lines[i].indent === indent && isItem(i)));
      map[key] = nested ? block() : '';
    }
    return map;
  }

  return block();
}

/** The variables docker-compose.yml reads; a developer's own values are kept out of these tests. */
const COMPOSE_VARIABLES = [
  'POSTGRES_PASSWORD',
  'DEMO',
  'LOG_LEVEL',
  'MAP_TILE_URL',
  'BIND_ADDRESS',
  'HSTS_MAX_AGE',
  'WORKERS',
  'TRUST_PROXY',
  'LB_PORT',
  'COMPOSE_PROFILES',
  'MINIO_ROOT_USER',
  'MINIO_ROOT_PASSWORD',
  'MEDIA_S3_BUCKET',
  'MEDIA_S3_ACCESS_KEY_ID',
  'MEDIA_S3_SECRET_ACCESS_KEY',
];

/**
 * The file as Compose resolves it: `docker-compose config` validates and interpolates it (and throws when
 * the file is invalid or docker-compose is not installed). `env` replaces the variables the file reads;
 * an empty env file keeps a developer's `.env` out of it.
 */
function composeConfig(env: Record<string, string> = {}, profiles: string[] = []): { services: Record<string, Service>; volumes: Record<string, unknown> } {
  const envFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'balagh-compose-')), '.env');
  writeFileSync(envFile, '');
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !COMPOSE_VARIABLES.includes(name)));
  const output = execFileSync('docker-compose', ['--env-file', envFile, '-f', path.join(root, 'docker-compose.yml'), ...profiles.flatMap((profile) => ['--profile', profile]), 'config'], {
    cwd: root,
    env: { ...inherited, ...env },
    timeout: 30_000,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseComposeYaml(output) as never;
}

/**
 * A service's published ports as [host address, published, target]: docker-compose 1.x prints the short
 * form (`127.0.0.1:9400:9400/tcp`), Compose v2 the long one (`host_ip`, `published`, `target`).
 */
function publishedPorts(service: Service): string[][] {
  return service.ports!.map((port) => {
    if (typeof port !== 'string') return [String((port as YamlMap).host_ip ?? '0.0.0.0'), String((port as YamlMap).published), String((port as YamlMap).target)];
    const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
    return parts.length === 3 ? parts : ['0.0.0.0', ...parts];
  });
}

function readRepoFile(name: string): string {
  return readFileSync(path.join(root, name), 'utf8');
}

describe('docker-compose.yml runs the server on PostgreSQL 18', () => {
  it('is valid Compose with a healthy PostgreSQL 18 on a named volume', () => {
    const { services, volumes } = composeConfig();
    const db = services.db;
    expect(db.image).toBe('postgres:18');
    expect(db.environment).toMatchObject({ POSTGRES_USER: 'balagh', POSTGRES_DB: 'balagh', POSTGRES_PASSWORD: 'change-me' });
    const mounts = db.volumes!.map((volume) => (typeof volume === 'string' ? volume.split(':').slice(0, 2) : [String((volume as YamlMap).source), String((volume as YamlMap).target)]));
    const data = mounts.find(([, target]) => target === '/var/lib/postgresql');
    expect(data, 'a volume mounted at /var/lib/postgresql').toBeDefined();
    expect(Object.keys(volumes)).toContain(data![0]);
    expect(db.healthcheck!.test.join(' ')).toContain('pg_isready');
  });

  it('builds the server from the Dockerfile and starts it only once the database is healthy', () => {
    const { services } = composeConfig();
    const server = services.server;
    expect(server.build!.dockerfile).toBe('Dockerfile');
    expect(path.resolve(server.build!.context)).toBe(root);
    expect(server.depends_on).toEqual({
      db: expect.objectContaining({ condition: 'service_healthy' }),
      'minio-init': expect.objectContaining({ condition: 'service_completed_successfully' }),
    });
    expect(server.environment).toMatchObject({
      DATABASE_URL: 'postgresql://balagh:change-me@db:5432/balagh',
      DEMO: 'false',
      HOST: '0.0.0.0',
    });
    expect(publishedPorts(server).map(([, published, target]) => [published, target])).toContainEqual(['9400', '9400']);
    expect(server.restart).toBe('unless-stopped');
  });

  it('publishes the port on 127.0.0.1 only, unless BIND_ADDRESS says otherwise', () => {
    expect(publishedPorts(composeConfig().services.server)).toEqual([['127.0.0.1', '9400', '9400']]);
    expect(publishedPorts(composeConfig({ BIND_ADDRESS: '0.0.0.0' }).services.server)).toEqual([['0.0.0.0', '9400', '9400']]);
  });

  it('passes HSTS_MAX_AGE to the server, off unless set', () => {
    expect(composeConfig().services.server.environment!.HSTS_MAX_AGE).toBe('0');
    expect(composeConfig({ HSTS_MAX_AGE: '31536000' }).services.server.environment!.HSTS_MAX_AGE).toBe('31536000');
  });

  it('passes POSTGRES_PASSWORD to both services and DEMO to the server', () => {
    const { services } = composeConfig({ POSTGRES_PASSWORD: 'Secret42', DEMO: 'true' });
    expect(services.db.environment!.POSTGRES_PASSWORD).toBe('Secret42');
    expect(services.server.environment!.DATABASE_URL).toBe('postgresql://balagh:Secret42@db:5432/balagh');
    expect(services.server.environment!.DEMO).toBe('true');
  });
});

describe('the scale-out profile', () => {
  it('is off by default: one server, no balancer (Compose v2 leaves inactive services out; docker-compose 1.x lists them with their profile)', () => {
    const { services } = composeConfig();
    const active = Object.entries(services).filter(([, service]) => !service.profiles?.length);
    expect(active.map(([name]) => name).sort()).toEqual(['db', 'minio', 'minio-init', 'server']);
    for (const [, service] of Object.entries(services).filter(([, s]) => s.profiles?.length)) expect(service.profiles).toEqual(['scale-out']);
  });

  it('adds a second replica on the same database and HAProxy in front of both, on 127.0.0.1:9401 unless told otherwise', () => {
    const { services } = composeConfig({ POSTGRES_PASSWORD: 'Secret42' }, ['scale-out']);
    expect(Object.keys(services).sort()).toEqual(['db', 'lb', 'minio', 'minio-init', 'server', 'server-2']);
    const second = services['server-2'];
    expect(second.build!.dockerfile).toBe('Dockerfile');
    expect(second.environment).toMatchObject({ DATABASE_URL: 'postgresql://balagh:Secret42@db:5432/balagh', DEMO: 'false', HOST: '0.0.0.0', PORT: '9400', WORKERS: 'auto' });
    expect(second.depends_on).toMatchObject({ db: expect.objectContaining({ condition: 'service_healthy' }) });
    const lb = services.lb;
    expect(lb.image).toMatch(/^haproxy:/);
    expect(lb.depends_on).toEqual({ server: expect.objectContaining({ condition: 'service_healthy' }), 'server-2': expect.objectContaining({ condition: 'service_healthy' }) });
    const mounts = lb.volumes!.map((volume) => (typeof volume === 'string' ? volume.split(':').slice(0, 2) : [String((volume as YamlMap).source), String((volume as YamlMap).target)]));
    expect(mounts).toContainEqual([path.join(root, 'deploy/haproxy.cfg'), '/usr/local/etc/haproxy/haproxy.cfg']);
    expect(publishedPorts(lb)).toEqual([['127.0.0.1', '9401', '9400']]);
    expect(publishedPorts(composeConfig({ LB_PORT: '80', BIND_ADDRESS: '0.0.0.0' }, ['scale-out']).services.lb)).toEqual([['0.0.0.0', '80', '9400']]);
  });

  it('balances to both replicas by their compose names, health-checked on /healthz, with WebSockets kept open', () => {
    const config = readRepoFile('deploy/haproxy.cfg');
    expect(config).toMatch(/^\s*server replica-1 server:9400$/m);
    expect(config).toMatch(/^\s*server replica-2 server-2:9400$/m);
    expect(config).toMatch(/option httpchk GET \/healthz/);
    expect(config).toMatch(/timeout tunnel 1h/);
  });

  it('runs one worker per core in each replica unless WORKERS says otherwise, and passes TRUST_PROXY for the balancer', () => {
    expect(composeConfig().services.server.environment).toMatchObject({ WORKERS: 'auto', TRUST_PROXY: 'false' });
    expect(composeConfig({ WORKERS: '2', TRUST_PROXY: '1' }).services.server.environment).toMatchObject({ WORKERS: '2', TRUST_PROXY: '1' });
  });
});

describe('media on MinIO', () => {
  /** A service's volumes as [source, target]: docker-compose 1.x prints `source:target:mode`, Compose v2 the long form. */
  function mountsOf(service: Service): string[][] {
    return service.volumes!.map((volume) => (typeof volume === 'string' ? volume.split(':').slice(0, 2) : [String((volume as YamlMap).source), String((volume as YamlMap).target)]));
  }

  it('runs MinIO from a pinned official image, health-checked, its data on a named volume and its port unpublished', () => {
    const { services, volumes } = composeConfig();
    const minio = services.minio;
    expect(minio.image).toMatch(/^minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    expect(minio.environment).toEqual({ MINIO_ROOT_USER: 'balagh-admin', MINIO_ROOT_PASSWORD: 'change-me-minio' });
    expect(minio.healthcheck!.test).toEqual(['CMD', 'mc', 'ready', 'local']);
    const data = mountsOf(minio).find(([, target]) => target === '/data');
    expect(data, 'a volume mounted at /data').toBeDefined();
    expect(Object.keys(volumes)).toContain(data![0]);
    expect(minio.ports, 'MinIO is reached only inside compose’s network').toBeUndefined();
    expect(minio.restart).toBe('unless-stopped');
  });

  it('creates the bucket and the servers’ user once MinIO is healthy, with deploy/minio-init.sh in a pinned minio/mc', () => {
    const init = composeConfig().services['minio-init'];
    expect(init.image).toMatch(/^minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    expect(init.depends_on).toEqual({ minio: expect.objectContaining({ condition: 'service_healthy' }) });
    expect(mountsOf(init)).toContainEqual([path.join(root, 'deploy/minio-init.sh'), '/deploy/minio-init.sh']);
    expect(init.environment).toEqual({
      MINIO_URL: 'http://minio:9000',
      MINIO_ROOT_USER: 'balagh-admin',
      MINIO_ROOT_PASSWORD: 'change-me-minio',
      MEDIA_S3_BUCKET: 'balagh-media',
      MEDIA_S3_ACCESS_KEY_ID: 'balagh-media',
      MEDIA_S3_SECRET_ACCESS_KEY: 'change-me-media',
    });
    expect(init.restart).toBe('no');
  });

  it('stores both replicas’ media in the same bucket with the keys minio-init grants, starting them only after it succeeded', () => {
    const { services } = composeConfig({}, ['scale-out']);
    const granted = services['minio-init'].environment!;
    for (const name of ['server', 'server-2']) {
      const replica = services[name];
      expect(replica.environment, name).toMatchObject({
        MEDIA_STORAGE: 's3',
        MEDIA_S3_ENDPOINT: 'http://minio:9000',
        MEDIA_S3_BUCKET: granted.MEDIA_S3_BUCKET,
        MEDIA_S3_ACCESS_KEY_ID: granted.MEDIA_S3_ACCESS_KEY_ID,
        MEDIA_S3_SECRET_ACCESS_KEY: granted.MEDIA_S3_SECRET_ACCESS_KEY,
        DATA_DIR: '/tmp/balagh',
      });
      expect(replica.environment!.MEDIA_S3_ACCESS_KEY_ID, `${name} never holds MinIO's root user`).not.toBe(services.minio.environment!.MINIO_ROOT_USER);
      expect(replica.depends_on, name).toMatchObject({ 'minio-init': expect.objectContaining({ condition: 'service_completed_successfully' }) });
    }
  });

  it('takes the bucket and every credential from the environment, the same everywhere', () => {
    const env = { MINIO_ROOT_USER: 'root-user', MINIO_ROOT_PASSWORD: 'RootSecret42', MEDIA_S3_BUCKET: 'evidence', MEDIA_S3_ACCESS_KEY_ID: 'media-user', MEDIA_S3_SECRET_ACCESS_KEY: 'MediaSecret42' };
    const { services } = composeConfig(env, ['scale-out']);
    expect(services.minio.environment).toEqual({ MINIO_ROOT_USER: 'root-user', MINIO_ROOT_PASSWORD: 'RootSecret42' });
    expect(services['minio-init'].environment).toMatchObject(env);
    const media = { MEDIA_S3_BUCKET: 'evidence', MEDIA_S3_ACCESS_KEY_ID: 'media-user', MEDIA_S3_SECRET_ACCESS_KEY: 'MediaSecret42' };
    expect(services.server.environment).toMatchObject(media);
    expect(services['server-2'].environment).toMatchObject(media);
  });

  it('deploy/minio-init.sh makes the bucket and a user that may use that bucket only, and may run again', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'balagh-minio-init-'));
    const log = path.join(dir, 'mc.log');
    // A stand-in for mc that records its arguments and the content of any policy file it is given.
    writeFileSync(path.join(dir, 'mc'), `#!/bin/sh\necho "$*" >> "${log}"\nfor arg in "$@"; do case "$arg" in *.json) cat "$arg" >> "${log}.policy";; esac; done\n`, { mode: 0o755 });
    const env = {
      PATH: `${dir}:${process.env.PATH}`,
      TMPDIR: dir,
      MINIO_URL: 'http://minio:9000',
      MINIO_ROOT_USER: 'root-user',
      MINIO_ROOT_PASSWORD: 'RootSecret42',
      MEDIA_S3_BUCKET: 'evidence',
      MEDIA_S3_ACCESS_KEY_ID: 'media-user',
      MEDIA_S3_SECRET_ACCESS_KEY: 'MediaSecret42',
    };
    const script = path.join(root, 'deploy/minio-init.sh');
    for (let run = 0; run < 2; run++) execFileSync('sh', [script], { env, stdio: 'pipe' });

    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const once = [
      'alias set local http://minio:9000 root-user RootSecret42',
      'mb --ignore-existing local/evidence',
      `admin policy create local balagh-media ${path.join(dir, 'balagh-media-policy.json')}`,
      'admin user add local media-user MediaSecret42',
      'admin policy attach local balagh-media --user media-user',
    ];
    expect(calls).toEqual([...once, ...once]);
    const policies = readFileSync(`${log}.policy`, 'utf8').trim().split('\n');
    expect(policies).toHaveLength(2);
    const policy = JSON.parse(policies[0]) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::evidence'] },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::evidence/*'] },
    ]);
    expect(() => execFileSync('sh', [script], { env: { ...env, MEDIA_S3_SECRET_ACCESS_KEY: '' }, stdio: 'pipe' }), 'a missing setting stops it before mc runs').toThrow();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(10);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const finalStage = instructions.slice(instructions.findLastIndex((line) => /^FROM\s/i.test(line)));

  it('builds every stage on Node 24', () => {
    const bases = instructions.filter((line) => /^FROM\s/i.test(line)).map((line) => line.split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:24(-|$)/);
  });

  it('runs the server as a non-root user with a health check', () => {
    const users = finalStage.filter((line) => /^USER\s/i.test(line)).map((line) => line.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1)!.split(':')[0]);
    expect(finalStage.find((line) => /^HEALTHCHECK\s/i.test(line))).toContain('/healthz');
    expect(finalStage).toContain('EXPOSE 9400');
    expect(finalStage.at(-1)).toBe('CMD ["node", "dist/server/main.js"]');
  });

  it('keeps local installs, builds and data out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', 'console/dist', 'test-results']));
  });
});
