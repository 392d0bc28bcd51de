/**
 * Commands on one convoy or one type, over HTTP: `send`, `get`, `ls`, `history [--follow]`, `wait`,
 * `pause`, `resume`, `retry`.
 */
import { convoyStatuses } from '@convoy/core';
import type { ConvoyEvent, ConvoyStatus } from '@convoy/core';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import {
  convoyTable,
  historyHeader,
  historyRow,
  outcomeText,
  stateText,
  table,
  viewLines,
} from './format.ts';
import { clientFor, failOnRefusal, integer, remoteOptions, report, runRemote } from './remote.ts';
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
  readonly final?: boolean;
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
      .option(
        '--wait <ms>',
        'wait (at most <ms>) until the event is processed and print its outcome; exit 2 if rejected or dead-lettered',
        integer(0, 600_000),
      )
      .option('--final', 'with --wait: wait past a deferral until the event is applied or refused'),
  ).action(async (type: string, id: string, event: ConvoyEvent, flags: SendFlags) => {
    if (flags.final && flags.wait === undefined) {
      throw new InvalidArgumentError('--final needs --wait <ms>');
    }
    const receipt = await runRemote(
      flags,
      output,
      (client) =>
        client.send(type, id, event, {
          ...(flags.key ? { idempotencyKey: flags.key } : {}),
          ...(flags.wait === undefined ? {} : { wait: flags.wait }),
          ...(flags.final ? { final: true } : {}),
        }),
      (receipt) => [
        `accepted ${receipt.type}/${receipt.id} seq ${receipt.seq}` +
          (receipt.duplicate ? ' (duplicate: the original receipt)' : '') +
          (receipt.processed === undefined
            ? ''
            : receipt.processed
              ? `: ${outcomeText(receipt)}`
              : ', not processed yet'),
      ],
    );
    failOnRefusal(receipt, output);
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
      .option(
        '-f, --follow',
        'keep printing new entries as they are committed, until the convoy is done (exit 0) or Ctrl-C',
      )
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
      .description(
        'wait until a convoy has processed <seq> and print its outcome (exit 1 with wait_timeout, 2 if rejected or dead-lettered)',
      )
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .argument('<seq>', 'the seq to wait for', integer(1, Number.MAX_SAFE_INTEGER))
      .option(
        '--timeout <ms>',
        'give up after <ms> (the server caps it, 30000 by default)',
        integer(0, 600_000),
      )
      .option('--final', 'wait past a deferral until the event is applied or refused'),
  ).action(
    async (
      type: string,
      id: string,
      seq: number,
      flags: RemoteFlags & { timeout?: number; final?: boolean },
    ) => {
      const result = await runRemote(
        flags,
        output,
        (client) => client.wait(type, id, seq, flags.timeout, flags.final ? { final: true } : {}),
        (result) => [`${result.type}/${result.id} seq ${result.seq}: ${outcomeText(result)}`],
      );
      failOnRefusal(result, output);
    },
  );

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
 * `history --follow`: print the history so far, then each new entry as it is committed, until the convoy
 * is done (it then only records refusals) or SIGINT / SIGTERM; exit 0 either way. Says when it starts
 * following and why it stopped: on stdout, or on stderr with `--json` (stdout is then NDJSON, one
 * history entry per line).
 */
async function follow(type: string, id: string, flags: HistoryFlags, output: Output): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  const note = flags.json ? output.err : output.out;
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const client = clientFor(flags);
    let printedHeader = false;
    note(`following ${type}/${id} until it is done (Ctrl-C to stop)`);
    const entries = client.follow(type, id, {
      signal: abort.signal,
      intervalMs: flags.interval,
      untilDone: true,
    });
    for await (const item of entries) {
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
    if (abort.signal.aborted) {
      note(`stopped following ${type}/${id} (interrupted)`);
    } else {
      const view = await client.get(type, id);
      note(`${type}/${id} is done, in state ${stateText(view.value)}: stopped following`);
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
