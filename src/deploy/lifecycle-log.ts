/** One entry of a workspace's lifecycle log (`logs NAME --lifecycle`): a header line, then the output as it came. */
export function lifecycleLogEntry(title: string, exitCode: number, output: string, at: Date = new Date()): string {
  const end = output === '' || output.endsWith('\n') ? '' : '\n';
  return `=== ${at.toISOString()} ${title}: exit ${exitCode}\n${output}${end}`;
}
