/** Every check kind upkeep knows. Adding a kind is one file plus one line here; schema, docs and UI derive from it. */
import { heartbeatKind } from '../heartbeats/heartbeat-kind.js';
import { httpKind } from './http.js';
import type { CheckKind } from './kind.js';
import { tcpKind } from './tcp.js';
import { tlsKind } from './tls.js';

// biome-ignore lint/suspicious/noExplicitAny: kinds differ in their spec type; each is checked by its own schema.
export const checkKinds: readonly CheckKind<any>[] = [httpKind, tcpKind, tlsKind, heartbeatKind];

/** Looks up a kind by its plan key. */
export function findCheckKind(name: string): CheckKind<unknown> | undefined {
  return checkKinds.find((kind) => kind.name === name);
}
