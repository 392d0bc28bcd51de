/**
 * `@convoy/http`: the Convoy HTTP API as a Fastify 5 plugin over the `ConvoyGateway` port.
 */
export { convoyPlugin, resolveAllowedHosts } from './plugin.ts';
export type { ConvoyPluginOptions } from './plugin.ts';
export type { ConvoyStreamStats } from './stream-hub.ts';
export { buildConvoyApp } from './app.ts';
export type { ConvoyAppOptions } from './app.ts';
export { sendError, toErrorReply } from './error-reply.ts';
export type { ErrorReplyBody } from './error-reply.ts';
export type { HistoryItem } from '@convoy/core';
export { authHooks, everyGroupGuarded, openGroups } from './auth.ts';
export type { BearerToken, ConvoyAuthOptions, RouteGroup, RouteGuard } from './auth.ts';
export { convoyRequestHeader } from './cross-site.ts';
export { loopbackHostNames } from './host-allow-list.ts';
export { securityHeaders, setSecurityHeaders } from './security-headers.ts';
export { createConvoyMetrics } from './metrics.ts';
export type { ConvoyMetrics, ConvoyMetricsOptions } from './metrics.ts';
export { apiRoutes } from './contract/routes.ts';
export type { ApiRoutes, DocumentedRoute } from './contract/routes.ts';
export type { RouteSpec } from './contract/route-spec.ts';
export { renderSvg } from './diagram-svg.ts';
