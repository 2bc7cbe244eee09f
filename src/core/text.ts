/**
 * A copy of `s` that does not keep its source alive. A line is a slice of a whole decoded chunk (64 KiB or
 * more), so anything the parser keeps past the line (step names, env values, package versions, dedup keys)
 * would otherwise pin that chunk for as long as it lives.
 */
export function detach(s: string): string {
  return (' ' + s).slice(1);
}
