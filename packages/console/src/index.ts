/**
 * `@convoy/console`: the Convoy web console (types, diagrams, convoy lists, live convoy pages with
 * operator actions) as a Fastify 5 plugin. The page is a client of the public Convoy HTTP API only.
 */
export { consolePlugin } from './plugin.ts';
export type { ConsolePluginOptions } from './plugin.ts';
