/** Terminal output: tables and colours, off when the stream is not a TTY or NO_COLOR is set. */

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** Returns a colouring function that is the identity when colours are off. */
export function colours(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>) {
  const on = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return (colour: Colour, text: string): string => (on ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

/** The colour of an alert state or outcome. */
export function stateColour(state: string): Colour {
  if (state === 'firing' || state === 'critical') return 'red';
  if (state === 'error' || state === 'abandoned') return 'magenta';
  if (state === 'pending' || state === 'warning') return 'yellow';
  if (state === 'maintenance' || state === 'info') return 'blue';
  return 'green';
}

// Matches the ANSI colour sequences this module writes, so widths ignore them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what it matches.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Lays out rows under headers, padding by visible width; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const width = (s: string) => s.replace(ANSI, '').length;
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `in 3m`, `5s ago`, relative to now. */
export function relativeTime(at: number | null, now: number): string {
  if (at === null) return '—';
  const delta = Math.round((at - now) / 1000);
  const abs = Math.abs(delta);
  const text =
    abs < 60
      ? `${abs}s`
      : abs < 3600
        ? `${Math.round(abs / 60)}m`
        : abs < 86400
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86400)}d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}
