/**
 * `convoy dlq ls <type> [<id>]`, `dlq redrive <type> <id> [--seq n]`, `dlq discard <type> <id> <seq>`:
 * dead letters over the operator API.
 */
import type { Command } from 'commander';
import { deadLetterTable } from './format.ts';
import { integer, remoteOptions, runRemote } from './remote.ts';
import type { Output, RemoteFlags } from './remote.ts';

const seqArgument = integer(1, Number.MAX_SAFE_INTEGER);

/** Register `dlq` and its subcommands on `program`. */
export function registerDeadLetterCommands(program: Command, output: Output): void {
  const dlq = program.command('dlq').description('dead letters: list, redrive, discard');

  remoteOptions(
    dlq
      .command('ls')
      .description("dead letters of one convoy, or of a type's convoys (most recent first)")
      .argument('<type>', 'convoy type')
      .argument('[id]', 'convoy id')
      .option('--limit <n>', 'without <id>: at most <n> convoys', integer(1, 1000))
      .option('--cursor <cursor>', 'without <id>: the next page'),
  ).action(
    async (
      type: string,
      id: string | undefined,
      flags: RemoteFlags & { limit?: number; cursor?: string },
    ) => {
      await runRemote(
        flags,
        output,
        async (client) =>
          id === undefined
            ? client.listDeadLetters(type, {
                ...(flags.limit === undefined ? {} : { limit: flags.limit }),
                ...(flags.cursor ? { cursor: flags.cursor } : {}),
              })
            : { items: await client.deadLetters(type, id), cursor: null },
        (page) => [
          ...(page.items.length === 0 ? ['(no dead letters)'] : deadLetterTable(page.items)),
          ...(page.cursor ? [`more: --cursor ${page.cursor}`] : []),
        ],
      );
    },
  );

  remoteOptions(
    dlq
      .command('redrive')
      .description("put a convoy's dead letters (or the one --seq) back into it, in seq order")
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .option('--seq <n>', 'only this dead letter', seqArgument),
  ).action(async (type: string, id: string, flags: RemoteFlags & { seq?: number }) => {
    await runRemote(
      flags,
      output,
      (client) => client.redrive(type, id, flags.seq === undefined ? {} : { seq: flags.seq }),
      (receipt) =>
        receipt.redriven.length === 0
          ? [`${type}/${id}: no dead letters to redrive`]
          : receipt.redriven.map(({ seq, newSeq, effectId }) =>
              effectId === undefined
                ? `${type}/${id}: redrove seq ${seq} as seq ${newSeq}`
                : `${type}/${id}: redrove the effect ${effectId} of seq ${seq} (it runs again)`,
            ),
    );
  });

  remoteOptions(
    dlq
      .command('discard')
      .description('drop one dead letter (recorded in the history)')
      .argument('<type>', 'convoy type')
      .argument('<id>', 'convoy id')
      .argument('<seq>', 'the dead letter', seqArgument),
  ).action(async (type: string, id: string, seq: number, flags: RemoteFlags) => {
    await runRemote(
      flags,
      output,
      async (client) => {
        await client.discard(type, id, seq);
        return { type, id, seq, discarded: true };
      },
      () => [`${type}/${id}: discarded dead letter seq ${seq}`],
    );
  });
}
