/** An error's message and its causes, one per line: "x: cannot be written\n  because: EACCES: ...". */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && depth < 5; depth++) {
    lines.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.join('\n  because: ');
}
