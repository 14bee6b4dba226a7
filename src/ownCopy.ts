// Strings kept for a long time (front matter values, memo keys) must not be slices of a larger string.

/**
 * A string that shares no memory with the one it was cut from. V8 makes a slice of 13 or more characters
 * point into its parent, which then stays alive with it; kept strings cut from a whole file are copied.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}
