/**
 * The negative integer codes the Lua scripts return, and the one function that turns them into
 * `ConvoyError`s. Each script declares the codes it uses as `local NAME = -N` at its top; a test checks
 * those declarations against this table so the two cannot drift.
 */
import { ConvoyError } from '@convoy/core';

/** Result codes of the Lua scripts in `./lua`. */
export const ScriptCode = {
  /** The claim's epoch is no longer the convoy's current epoch: another claimer took over. */
  STALE_CLAIM: -1,
  /** The record's revision is not the one the claim read (should not happen under a current epoch). */
  REVISION_CONFLICT: -2,
  /** The idempotency key was used on this convoy with another request body. */
  IDEMPOTENCY_CONFLICT: -3,
  /** The convoy already holds `maxBacklog` unprocessed events. */
  BACKLOG_FULL: -4,
} as const;

/** Name of a script result code. */
export type ScriptCodeName = keyof typeof ScriptCode;

/** True for a negative integer reply, i.e. a script result code. */
export function isScriptCode(reply: unknown): reply is number {
  return typeof reply === 'number' && Number.isInteger(reply) && reply < 0;
}

/**
 * Maps a script result code to the `ConvoyError` callers see.
 * @param code - the negative integer the script returned
 * @param script - the script's name, for the message
 * @param details - facts to attach (convoy key, epoch, …)
 */
export function scriptCodeToError(
  code: number,
  script: string,
  details: Readonly<Record<string, unknown>> = {},
): ConvoyError {
  const all = { ...details, script, scriptCode: code };
  switch (code) {
    case ScriptCode.STALE_CLAIM:
      return new ConvoyError(
        'stale_claim',
        'The claim is stale: another worker claimed this convoy since',
        all,
      );
    case ScriptCode.REVISION_CONFLICT:
      return new ConvoyError('stale_claim', 'The convoy record changed since it was claimed', all);
    case ScriptCode.IDEMPOTENCY_CONFLICT:
      return new ConvoyError(
        'idempotency_conflict',
        'This Idempotency-Key was already used on this convoy with a different request',
        all,
      );
    case ScriptCode.BACKLOG_FULL:
      return new ConvoyError('backlog_full', 'The convoy has too many unprocessed events; retry later', all);
    default:
      return new ConvoyError(
        'internal_error',
        `Unknown result code ${code} from Redis script ${script}`,
        all,
      );
  }
}
