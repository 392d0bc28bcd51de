import { createConvoyClient } from '@convoy/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/serve.ts';
import type { RunningServer } from '../src/serve.ts';
import { packageDir, spawnConvoy, waitForUrl } from './support/convoy-process.ts';

// The real `convoy` bin (a child process) against servers started here: one with the console, one without.
let server: RunningServer;
let bare: RunningServer;

beforeAll(async () => {
  const module = 'test/fixtures/operated-order.ts';
  [server, bare] = await Promise.all([
    startServer({ module, cwd: packageDir, port: 0 }),
    startServer({ module, cwd: packageDir, port: 0, console: false }),
  ]);
}, 60_000);
afterAll(async () => {
  await server.close();
  await bare.close();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `convoy <args> --url <server>` to completion. */
async function convoy(args: readonly string[], url = server.url): Promise<Run> {
  const spawned = spawnConvoy([...args, '--url', url]);
  try {
    const { code } = await spawned.exited;
    return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
  } finally {
    spawned.kill();
  }
}

const json = (run: Run): unknown => JSON.parse(run.stdout);

/** Set-up and checks in-process (each bin run costs a process start). */
const direct = () => createConvoyClient({ baseUrl: server.url });

describe('convoy commands over HTTP (the real bin)', { timeout: 90_000 }, () => {
  it('send, wait, get and history: readable text, and --json', async () => {
    const sent = await convoy([
      'send',
      'order',
      'o-1',
      '{"type":"Placed","amount":42}',
      '--key',
      'k-1',
      '--wait',
      '5000',
    ]);
    expect(sent).toMatchObject({
      code: 0,
      stdout: 'accepted order/o-1 seq 1: applied; the convoy is active, in state AwaitingPayment\n',
    });
    // `wait` for seq 2 may start before `send` accepted it: it waits for the seq either way.
    const [again, paid, waited] = await Promise.all([
      convoy(['send', 'order', 'o-1', '{"type":"Placed","amount":42}', '--key', 'k-1', '--json']),
      convoy(['send', 'order', 'o-1', '{"type":"Paid"}', '--key', 'k-2']),
      convoy(['wait', 'order', 'o-1', '2', '--timeout', '20000']),
    ]);
    expect(json(again)).toEqual({ type: 'order', id: 'o-1', seq: 1, duplicate: true });
    expect(paid.stdout).toBe('accepted order/o-1 seq 2\n');
    expect(waited).toMatchObject({
      code: 0,
      stdout: 'order/o-1 seq 2: applied; the convoy is active, in state Paid\n',
    });
    const [got, gotJson, history, historyJson] = await Promise.all([
      convoy(['get', 'order', 'o-1']),
      convoy(['get', 'order', 'o-1', '--json']),
      convoy(['history', 'order', 'o-1']),
      convoy(['history', 'order', 'o-1', '--json']),
    ]);
    expect(got.stdout).toMatch(
      /^order\/o-1\n {2}status: {3}active\n {2}state: {4}Paid\n {2}seq: {6}2 processed, 2 accepted/,
    );
    expect(got.stdout).toContain('"amount": 42');
    expect(json(gotJson)).toMatchObject({
      type: 'order',
      id: 'o-1',
      status: 'active',
      value: 'Paid',
      seq: 2,
    });
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEQ +AT +EVENT +OUTCOME +TRANSITION +DETAIL$/);
    expect(lines.slice(1).map((line) => line.split(/ {2,}/).filter((c, i) => i !== 1))).toEqual([
      ['1', 'Placed {"amount":42}', 'applied', 'New → AwaitingPayment'],
      ['2', 'Paid', 'applied', 'AwaitingPayment → Paid'],
    ]);
    expect((json(historyJson) as Array<{ outcome: string }>).map((h) => h.outcome)).toEqual([
      'applied',
      'applied',
    ]);
  });

  it("errors exit 1 with the server's code", async () => {
    const [missing, missingJson, timeout, badEvent, unreachable] = await Promise.all([
      convoy(['get', 'order', 'never']),
      convoy(['get', 'order', 'never', '--json']),
      convoy(['wait', 'order', 'never-2', '1', '--timeout', '50']),
      convoy(['send', 'order', 'o-x', '{"type":"Teleport"}']),
      convoy(['get', 'order', 'o-1'], 'http://127.0.0.1:1'),
    ]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(
      /^convoy: convoy_not_found \(404\): Convoy order\/never has never received/,
    );
    expect(JSON.parse(missingJson.stderr)).toMatchObject({ statusCode: 404, code: 'convoy_not_found' });
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/convoy_not_found|wait_timeout/);
    expect(badEvent).toMatchObject({ code: 1 });
    expect(badEvent.stderr).toContain('unknown_event_type (422)');
    expect(unreachable).toMatchObject({ code: 1 });
    expect(unreachable.stderr).toContain('Cannot reach Convoy at http://127.0.0.1:1');
  });

  it('diagram in every format; dot and svg come from the API, with or without the console', async () => {
    const [mermaid, stately, dot, svg, asJson, noConsole] = await Promise.all([
      convoy(['diagram', 'order']),
      convoy(['diagram', 'order', '--format', 'stately']),
      convoy(['diagram', 'order', '--format', 'dot']),
      convoy(['diagram', 'order', '--format', 'svg']),
      convoy(['diagram', 'order', '--format', 'mermaid', '--json']),
      convoy(['diagram', 'order', '--format', 'svg'], bare.url),
    ]);
    expect(mermaid).toMatchObject({ code: 0 });
    expect(mermaid.stdout).toMatch(/^stateDiagram-v2\n/);
    expect(stately.stdout).toContain('createMachine(');
    expect(dot.stdout).toMatch(/^digraph "order"/);
    expect(svg.stdout).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(json(asJson)).toMatchObject({
      type: 'order',
      format: 'mermaid',
      diagram: expect.stringMatching(/^stateDiagram-v2/),
    });
    expect(noConsole).toMatchObject({ code: 0 });
    expect(noConsole.stdout).toMatch(/<svg[\s\S]*<\/svg>/);
  });

  it('ls, dlq ls / redrive, pause / resume', async () => {
    await direct().send('order', 'o-2', { type: 'Placed', amount: 1 });
    await direct().send('order', 'o-2', { type: 'Refund' }, { wait: 5000 });
    const [letters, allLetters, paused] = await Promise.all([
      convoy(['dlq', 'ls', 'order', 'o-2']),
      convoy(['dlq', 'ls', 'order', '--json']),
      convoy(['pause', 'order', 'o-2']),
    ]);
    expect(letters.stdout).toMatch(
      /^ID +SEQ +EVENT +REASON +AT\no-2 +2 +Refund +not_accepted_in_state +\S+\n$/,
    );
    expect(json(allLetters)).toMatchObject({ items: [{ type: 'order', id: 'o-2', seq: 2 }] });
    expect(paused.stdout).toBe('order/o-2 is paused, in state AwaitingPayment\n');

    const [listed, listedJson] = await Promise.all([
      convoy(['ls', 'order', '--status', 'paused']),
      convoy(['ls', 'order', '--json', '--limit', '10']),
    ]);
    expect(listed.stdout).toMatch(
      /^ID +STATUS +STATE +SEQ +ACCEPTED +UPDATED\no-2 +paused +AwaitingPayment +2 +2 +\S+\n$/,
    );
    expect((json(listedJson) as { items: Array<{ id: string }> }).items.map((v) => v.id).sort()).toEqual([
      'o-1',
      'o-2',
    ]);

    expect((await convoy(['resume', 'order', 'o-2'])).stdout).toBe(
      'order/o-2 is active, in state AwaitingPayment\n',
    );
    await direct().send('order', 'o-2', { type: 'Paid' }, { wait: 5000 });
    const redriven = await convoy(['dlq', 'redrive', 'order', 'o-2', '--seq', '2']);
    expect(redriven).toMatchObject({ code: 0, stdout: 'order/o-2: redrove seq 2 as seq 4\n' });
    await direct().wait('order', 'o-2', 4, 5000);
    expect(await direct().get('order', 'o-2')).toMatchObject({ status: 'done', value: 'Refunded' });
  });

  it('send --wait prints the outcome: deferred (exit 0), --final follows it to applied, refusals exit 2', async () => {
    const deferred = await convoy(['send', 'order', 'o-w', '{"type":"Paid"}', '--wait', '5000']);
    expect(deferred).toMatchObject({
      code: 0,
      stdout:
        'accepted order/o-w seq 1: deferred (not_accepted_in_state), may still be applied or refused; the convoy is active, in state New\n',
    });
    const finalWait = convoy(['wait', 'order', 'o-w', '1', '--timeout', '20000', '--final', '--json']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await direct().send('order', 'o-w', { type: 'Placed', amount: 2 });
    const final = await finalWait;
    expect(final.code).toBe(0);
    expect(json(final)).toMatchObject({ seq: 1, outcome: 'applied', final: true, value: 'Paid' });

    const [letter, finished] = await Promise.all([
      convoy(['send', 'order', 'o-r', '{"type":"Refund"}', '--wait', '5000']),
      (async () => {
        await direct().send('order', 'o-d', { type: 'Placed', amount: 1 });
        await direct().send('order', 'o-d', { type: 'Paid' });
        await direct().send('order', 'o-d', { type: 'Refund' }, { wait: 5000 });
        return convoy(['send', 'order', 'o-d', '{"type":"Paid"}', '--wait', '5000']);
      })(),
    ]);
    expect(letter).toMatchObject({
      code: 2,
      stdout:
        'accepted order/o-r seq 1: deadLettered (not_accepted_in_state); the convoy is active, in state New\n',
      stderr: 'convoy: event seq 1 was deadLettered (not_accepted_in_state)\n',
    });
    expect(finished).toMatchObject({
      code: 2,
      stdout: 'accepted order/o-d seq 4: rejected (convoy_done); the convoy is done, in state Refunded\n',
    });
    expect(finished.stderr).toContain('was rejected (convoy_done)');
    const misuse = await convoy(['send', 'order', 'o-m', '{"type":"Paid"}', '--final']);
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toContain('--final needs --wait');
  });

  it('history --follow exits 0 by itself once the convoy is done, and says why', async () => {
    const follower = spawnConvoy([
      'history',
      'order',
      'o-fd',
      '--follow',
      '--interval',
      '50',
      '--url',
      server.url,
    ]);
    try {
      await until(() => follower.stdout().includes('following order/o-fd until it is done'));
      await direct().send('order', 'o-fd', { type: 'Placed', amount: 3 });
      await direct().send('order', 'o-fd', { type: 'Paid' });
      await direct().send('order', 'o-fd', { type: 'Refund' });
      expect((await follower.exited).code).toBe(0);
      const lines = follower.stdout().trimEnd().split('\n');
      expect(lines.at(-2)).toContain('Paid → Refunded');
      expect(lines.at(-1)).toBe('order/o-fd is done, in state Refunded: stopped following');
    } finally {
      follower.kill();
    }
  });

  it('history --follow prints new entries as they are committed and exits 0 on Ctrl-C', async () => {
    const follower = spawnConvoy([
      'history',
      'order',
      'o-f',
      '--follow',
      '--interval',
      '50',
      '--url',
      server.url,
    ]);
    try {
      await direct().send('order', 'o-f', { type: 'Placed', amount: 3 });
      await until(() => follower.stdout().includes('New → AwaitingPayment'));
      await direct().send('order', 'o-f', { type: 'Paid' });
      await until(() => follower.stdout().includes('AwaitingPayment → Paid'));
      follower.child.kill('SIGINT');
      expect((await follower.exited).code).toBe(0);
      expect(
        follower
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('SEQ')),
      ).toHaveLength(1);
      expect(follower.stdout()).toMatch(/^following order\/o-f until it is done \(Ctrl-C to stop\)\n/);
      expect(follower.stdout()).toMatch(/stopped following order\/o-f \(interrupted\)\n$/);
    } finally {
      follower.kill();
    }
  });

  it('convoy serve prints the console URL; --no-console leaves it out', async () => {
    const withConsole = spawnConvoy(['serve', 'test/fixtures/operated-order.ts', '--port', '0']);
    const without = spawnConvoy(['serve', 'test/fixtures/operated-order.ts', '--port', '0', '--no-console']);
    try {
      const [url, bareUrl] = await Promise.all([waitForUrl(withConsole), waitForUrl(without)]);
      expect(withConsole.stdout()).toContain(`  console: ${url}/console\n`);
      expect((await fetch(`${url}/console`)).status).toBe(200);
      expect(without.stdout()).not.toContain('console:');
      expect((await fetch(`${bareUrl}/console`)).status).toBe(404);
    } finally {
      withConsole.kill();
      without.kill();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
