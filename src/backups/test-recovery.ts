/** Test helpers for recovery from the files alone: damaging archives, and the output a person must see. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes a copy of `from` at `to` with 16 bytes flipped in the middle. */
export function flipMiddle(from: string, to: string): void {
  const bytes = readFileSync(from);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < Math.min(at + 16, bytes.length); i++) bytes[i] = (bytes[i] as number) ^ 0xff;
  writeFileSync(to, bytes);
}

/** Writes the first 60% of `from` at `to` (an upload or copy cut short). */
export function truncated(from: string, to: string): void {
  const bytes = readFileSync(from);
  writeFileSync(to, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

/** A failure said to a person: a message naming the command, never a stack trace. */
export function assertPlainError(err: string, pattern: RegExp): void {
  assert.match(err, pattern);
  assert.doesNotMatch(err, /\n\s+at [\w.<]+ \(|node:internal/, 'no stack trace');
}

/** The path a `file ...` line of a printed record names (`file:/dir/name` → `/dir/name`). */
export function printedFile(out: string): string {
  const line = /^file {5}(\S+)$/m.exec(out)?.[1];
  assert.ok(line, `a file line in:\n${out}`);
  return line.replace(/^file:/, '');
}
