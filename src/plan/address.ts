/** Unit addresses on the command line and in the API: `app/unit`, or the bare unit name when it is unique. */
import { nearest } from './suggest.js';

/** What an address resolves against: any unit with an id `app/name`. */
export interface Addressable {
  id: string;
  app: string;
  name: string;
}

/** No unit has this address; `suggestion` is the nearest id when one is close. */
export class UnknownUnitError extends Error {
  override readonly name = 'UnknownUnitError';
  constructor(
    readonly address: string,
    readonly suggestion: string | undefined,
  ) {
    super(
      `no unit "${address}" in the plan${suggestion ? `; did you mean "${suggestion}"?` : ''} ` +
        '(list units with `upkeep status`; address them as app/unit)',
    );
  }
}

/** A bare unit name that several apps use; `candidates` are the full ids to choose from. */
export class AmbiguousUnitError extends Error {
  override readonly name = 'AmbiguousUnitError';
  constructor(
    readonly address: string,
    readonly candidates: string[],
  ) {
    super(`"${address}" names ${candidates.length} units; write one of: ${candidates.join(', ')}`);
  }
}

/** Finds the unit an address means. Throws UnknownUnitError or AmbiguousUnitError with what to type instead. */
export function resolveUnit<U extends Addressable>(units: readonly U[], address: string): U {
  const wanted = address.trim();
  const exact = units.find((u) => u.id === wanted);
  if (exact) return exact;
  if (!wanted.includes('/')) {
    const matches = units.filter((u) => u.name === wanted);
    if (matches.length === 1) return matches[0] as U;
    if (matches.length > 1) throw new AmbiguousUnitError(wanted, matches.map((u) => u.id).sort());
  }
  // Names are case-insensitively unique in a plan, so a case slip still finds the one unit meant.
  const folded = units.filter((u) => u.id.toLowerCase() === wanted.toLowerCase());
  if (folded.length === 1) return folded[0] as U;
  const candidates = wanted.includes('/')
    ? units.map((u) => u.id)
    : [...units.map((u) => u.id), ...units.map((u) => u.name)];
  const near = nearest(wanted, candidates);
  const suggestion = near === undefined ? undefined : (units.find((u) => u.id === near || u.name === near)?.id ?? near);
  throw new UnknownUnitError(wanted, suggestion);
}
