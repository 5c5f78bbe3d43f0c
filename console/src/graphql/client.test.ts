// @vitest-environment happy-dom
import urql, { provideClient } from '@urql/vue';
import { Client, fetchExchange } from '@urql/core';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent } from 'vue';
import { ReferenceQuery } from '../features/reference/reference.operations.ts';
import { SetOwnShiftMutation } from '../features/crew/crew.operations.ts';
import { useRun, type Run } from './client.ts';
import { ApiError } from './errors.ts';

/** A client whose fetch answers every operation with `body`, and the operations it was asked, by name. */
function fakeClient(body: unknown) {
  const asked: Array<{ operationName: string; variables: unknown }> = [];
  const client = new Client({
    url: 'http://console.test/graphql',
    exchanges: [fetchExchange],
    preferGetMethod: false,
    fetch: async (_url, init) => {
      const { operationName, variables } = JSON.parse(String(init?.body)) as { operationName: string; variables: unknown };
      asked.push({ operationName, variables });
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    },
  });
  return { client, asked };
}

/**
 * The Run a component gets with useRun() in its setup, under the plugin or under a client provided with
 * provideClient (which, as from an ancestor, reaches use* functions of the same setup too).
 */
function runOf(provide: { plugin: Client } | { provideClient: Client }): Run {
  let run!: Run;
  const Probe = defineComponent({
    setup() {
      if ('provideClient' in provide) provideClient(provide.provideClient);
      run = useRun();
      return () => null;
    },
  });
  mount(Probe, { global: { plugins: 'plugin' in provide ? [[urql, provide.plugin]] : [] } });
  return run;
}

describe('the GraphQL client components reach through @urql/vue', () => {
  it('runs a mutation through the client the app installs with the plugin', async () => {
    const { client, asked } = fakeClient({ data: { setCrewOnDuty: { id: 'c-1', onDuty: false, status: 'OFF_DUTY', version: 2 } } });
    const run = runOf({ plugin: client });
    expect(await run(SetOwnShiftMutation, { crewId: 'c-1', onDuty: false })).toEqual({ setCrewOnDuty: { id: 'c-1', onDuty: false, status: 'OFF_DUTY', version: 2 } });
    expect(asked).toEqual([{ operationName: 'SetOwnShift', variables: { crewId: 'c-1', onDuty: false } }]);
  });

  it("runs a query through a client given with provideClient, and throws the server's error as an ApiError", async () => {
    const { client, asked } = fakeClient({ data: null, errors: [{ message: 'signed out', extensions: { code: 'UNAUTHENTICATED' } }] });
    const run = runOf({ provideClient: client });
    const failure = await run(ReferenceQuery, {}).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).failure).toEqual({ code: 'UNAUTHENTICATED', message: 'signed out' });
    expect(asked.map((a) => a.operationName)).toEqual(['Reference']);
  });
});
