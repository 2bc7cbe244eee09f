/**
 * A copy of `s` that does not keep its source alive. A line is a slice of a whole decoded chunk (64 KiB or
 * more), so anything the parser keeps past the line (step names, env values, package versions, dedup keys)
 * would otherwise pin that chunk for as long as it lives.
 */
export function detach(s: string): string {
  // V8 makes no slice (or concatenation) shorter than 13 characters: a string that short holds its own characters.
  if (s.length < 13) return s;
  return (' ' + s).slice(1);
}
