/**
 * Commands on one convoy or one type, over HTTP: `send`, `get`, `ls`, `history [--follow]`, `wait`,
 * `pause`, `resume`, `retry`.
 */
import { convoyStatuses } from '@convoy/core';
import type { ConvoyEvent, ConvoyStatus } from '@convoy/core';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { convoyTable, historyHeader, historyRow, stateText, table, viewLines } from './format.ts';
import { clientFor, integer, remoteOptions, report, runRemote } from './remote.ts';
import type { Output, RemoteFlags } from './remote.ts';

function eventJson(value: string): ConvoyEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`not JSON: ${value}`);
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as { type?: unknown }).type !== 'string'
  ) {
    throw new InvalidArgumentError('expected a JSON object with a string "type", e.g. \'{"type":"Paid"}\'');
  }
  return parsed as ConvoyEvent;
}

interface SendFlags extends RemoteFlags {
  readonly key?: string;
  readonly wait?: number;
}

interface ListFlags extends RemoteFlags {
  readonly status?: ConvoyStatus;
  readonly state?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

interface HistoryFlags extends RemoteFlags {
  readonly follow?: boolean;
  readonly interval: number;
}

/** Register the per-convoy commands on `program`. */
export function registerConvoyCommands(program: Command, output: Output): void {
  remoteOptions(
    program
      .command('send')
      .description('send one event to a convoy (prints its seq)')
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .argument('<event-json>', 'the event, e.g. \'{"type":"PaymentConfirmed"}\'', eventJson)
      .option('--key <key>', 'Idempotency-Key: the same key for the same convoy is accepted once')
      .option('--wait <ms>', 'answer once the event is processed (at most <ms>)', integer(0, 600_000)),
  ).action(async (type: string, id: string, event: ConvoyEvent, flags: SendFlags) => {
    await runRemote(
      flags,
      output,
      (client) =>
        client.send(type, id, event, {
          ...(flags.key ? { idempotencyKey: flags.key } : {}),
          ...(flags.wait === undefined ? {} : { wait: flags.wait }),
        }),
      (receipt) => [
        `accepted ${receipt.type}/${receipt.id} seq ${receipt.seq}` +
          (receipt.duplicate ? ' (duplicate: the original receipt)' : '') +
          (receipt.processed === undefined ? '' : receipt.processed ? ', processed' : ', not processed yet'),
      ],
    );
  });

  remoteOptions(
    program
      .command('get')
      .description("a convoy's status, state, seqs and context")
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id'),
  ).action(async (type: string, id: string, flags: RemoteFlags) => {
    await runRemote(flags, output, (client) => client.get(type, id), viewLines);
  });

  remoteOptions(
    program
      .command('ls')
      .description('list the convoys of a type, most recently updated first')
      .argument('<type>', 'convoy type')
      .addOption(new Option('--status <status>', 'only convoys in this status').choices(convoyStatuses))
      .option('--state <state>', 'only convoys in this state (a name or dot path)')
      .option('--limit <n>', 'at most <n> convoys', integer(1, 1000))
      .option('--cursor <cursor>', 'the next page, as printed by the previous one'),
  ).action(async (type: string, flags: ListFlags) => {
    await runRemote(
      flags,
      output,
      (client) =>
        client.list(type, {
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.state ? { state: flags.state } : {}),
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        }),
      (page) => [
        ...(page.items.length === 0 ? ['(no convoys)'] : convoyTable(page.items)),
        ...(page.cursor ? [`more: --cursor ${page.cursor}`] : []),
      ],
    );
  });

  remoteOptions(
    program
      .command('history')
      .description('what happened to every event of a convoy, in processing order')
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .option('-f, --follow', 'keep printing new entries as they are committed, until Ctrl-C')
      .option('--interval <ms>', 'how often --follow polls', integer(10, 60_000), 300),
  ).action(async (type: string, id: string, flags: HistoryFlags) => {
    if (!flags.follow) {
      await runRemote(
        flags,
        output,
        (client) => client.history(type, id),
        (items) => table(historyHeader, items.map(historyRow)),
      );
      return;
    }
    await follow(type, id, flags, output);
  });

  remoteOptions(
    program
      .command('wait')
      .description('wait until a convoy has processed <seq> (exit 1 with wait_timeout otherwise)')
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .argument('<seq>', 'the seq to wait for', integer(1, Number.MAX_SAFE_INTEGER))
      .option(
        '--timeout <ms>',
        'give up after <ms> (the server caps it, 30000 by default)',
        integer(0, 600_000),
      ),
  ).action(async (type: string, id: string, seq: number, flags: RemoteFlags & { timeout?: number }) => {
    await runRemote(
      flags,
      output,
      (client) => client.wait(type, id, seq, flags.timeout),
      (result) => [`${result.type}/${result.id} processed seq ${result.seq}`],
    );
  });

  for (const [action, description] of [
    ['pause', 'stop processing a convoy (events are still accepted)'],
    ['resume', 'process a paused convoy again'],
    ['retry', 'un-block (or un-stall) a convoy and process it now'],
  ] as const) {
    remoteOptions(
      program
        .command(action)
        .description(description)
        .argument('<type>', 'convoy type')
        .argument('<id>', 'convoy id'),
    ).action(async (type: string, id: string, flags: RemoteFlags) => {
      await runRemote(
        flags,
        output,
        (client) => client[action](type, id),
        (view) => [`${view.type}/${view.id} is ${view.status}, in state ${stateText(view.value)}`],
      );
    });
  }
}

/**
 * `history --follow`: print the history so far, then each new entry as it is committed, until SIGINT or
 * SIGTERM (exit 0). With `--json`, one JSON object per line (NDJSON).
 */
async function follow(type: string, id: string, flags: HistoryFlags, output: Output): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const client = clientFor(flags);
    let printedHeader = false;
    for await (const item of client.follow(type, id, { signal: abort.signal, intervalMs: flags.interval })) {
      if (flags.json) {
        output.out(JSON.stringify(item));
        continue;
      }
      // Fixed widths: rows arrive one at a time, so columns cannot be fitted to the widest cell.
      const row = historyRow(item);
      if (!printedHeader) output.out(formatFollowRow([...historyHeader]));
      printedHeader = true;
      output.out(formatFollowRow(row));
    }
  } catch (error) {
    report(error, flags, output);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

const followWidths = [5, 12, 36, 12, 36];

function formatFollowRow(cells: readonly string[]): string {
  return cells
    .map((cell, column) => {
      const width = followWidths[column];
      return width === undefined ? cell : cell.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}
