import net from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseDown } from '../server/src/common/errors.js';
import { ormConfig } from '../server/src/db/orm.js';

/**
 * A database host that accepts TCP and then says nothing (a black-holed route, a hung proxy): without a
 * connect timeout every request, and /healthz, would wait for the kernel's TCP timeout.
 */
describe('a database that never answers', () => {
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  let port: number;
  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails a statement as the database being down instead of waiting on the silent socket', { timeout: 30_000 }, async () => {
    const orm = new MikroORM(ormConfig(`postgresql://balagh:x@127.0.0.1:${port}/balagh`));
    try {
      const failure = await orm.em
        .fork()
        .execute('select 1')
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseDown(failure)).toBe(true);
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      await orm.close(true).catch(() => undefined);
    }
  });
});
