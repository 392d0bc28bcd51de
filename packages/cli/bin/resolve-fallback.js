// Module resolution for `convoy serve <module>` when the user's convoy module lives outside this workspace
// (e.g. /tmp/ticket.ts, no package.json, no node_modules of its own):
// - `xstate`, `@xstate/*` and `@convoy/*` that do not resolve from the user's file are resolved from the
//   CLI's location, so the module shares the CLI's copies (their own installation still wins);
// - a `.ts` file that Node would treat as CommonJS only because no package.json says `"type": "module"`
//   is loaded as an ES module, since convoy modules use `import`/`export`.
const fallbackParent = import.meta.url;
const shared = /^(xstate|@xstate\/[^/]+|@convoy\/[^/]+)(\/.*)?$/;

export async function resolve(specifier, context, nextResolve) {
  let result;
  try {
    result = await nextResolve(specifier, context);
  } catch (error) {
    if (!shared.test(specifier) || context.parentURL === fallbackParent) throw error;
    result = await nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
  if (
    result.format === 'commonjs' &&
    result.url.startsWith('file:') &&
    /\.tsx?$/.test(result.url) &&
    !result.url.includes('/node_modules/')
  ) {
    return { ...result, format: 'module' };
  }
  return result;
}
