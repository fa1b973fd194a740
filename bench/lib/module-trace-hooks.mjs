// Module resolution hook: reports every module the process resolves on stderr, one `MODULE <url>` line each.
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write(`MODULE ${result.url}\n`);
  return result;
}
