/**
 * `@convoy/console`: the Convoy web console (types, diagrams, live convoy pages) as a Fastify 5 plugin
 * over the `ConvoyGateway` port, plus the DOT export its diagrams are rendered from.
 */
export { consolePlugin } from './plugin.ts';
export type { ConsolePluginOptions } from './plugin.ts';
export { toDot } from './dot.ts';
export type { DotOptions } from './dot.ts';
export { renderSvg } from './diagram.ts';
export { activeStateIds } from './active-states.ts';
export type { ConsoleConvoyState } from './convoy-state.ts';
export type { ConsoleErrorBody } from './error-reply.ts';
export type { ConsoleAuth, ConsoleConvoyWork } from './operator-routes.ts';
