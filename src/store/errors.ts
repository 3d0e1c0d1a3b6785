/** Typed store failures: the scheduler tells upkeep's own failure (the store) apart from the target's. */

/** Any failure of the database under upkeep: never a statement about a monitored target. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  /** The store operation that failed (`recordRun`, `claimDue`, ...). */
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

/** The store was migrated by a newer upkeep: running older code against it could corrupt it. */
export class StoreSchemaTooNewError extends StoreError {
  override readonly name = 'StoreSchemaTooNewError';
  /** Highest migration recorded in the store. */
  readonly storeVersion: number;
  /** Highest migration this code knows. */
  readonly knownVersion: number;

  constructor(storeVersion: number, knownVersion: number) {
    super(
      'migrate',
      `store schema is at migration ${storeVersion}, this upkeep knows up to ${knownVersion}; upgrade upkeep or point it at another data dir`,
    );
    this.storeVersion = storeVersion;
    this.knownVersion = knownVersion;
  }
}

/** Wraps a database error so callers see one typed error that says where to look; StoreErrors pass through. */
export function toStoreError(operation: string, where: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(
    operation,
    `store ${operation} failed on ${where}: ${detail}. This is upkeep's own storage, not a monitored target: ` +
      'check that the data dir is writable and has free space, or that the database is reachable.',
    { cause },
  );
}

/** A store call named a unit the store does not have: the plan and the store are out of sync, not a storage failure. */
export class UnknownUnitError extends Error {
  override readonly name = 'UnknownUnitError';
  readonly unitId: string;

  constructor(unitId: string) {
    super(`unit ${unitId} is not in the store; check the app/unit name, or sync the plan (upkeep start) first`);
    this.unitId = unitId;
  }
}
