/**
 * One total deadline per piece of work (a probe, a run, a send), combined with a parent signal, so every I/O step
 * shares the same budget. Use it instead of AbortSignal.any([parent, AbortSignal.timeout(ms)]): on Node 20 the
 * composite holds its sources only weakly, so an otherwise unreferenced timeout signal can be collected and never
 * fire (seen as a send that ignored its deadline under load), and both linger until a major GC.
 */

/** A probe's deadline: `signal` aborts at `timeoutMs` or when the parent signal aborts. */
export interface Deadline {
  signal: AbortSignal;
  /** True once the deadline itself (or a parent TimeoutError) fired: the target was too slow. */
  timedOut(): boolean;
  /** Clears the timer; call in `finally`. */
  dispose(): void;
}

/** Starts a deadline of `timeoutMs` under `parent`. */
export function startDeadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(
    () => {
      fired = true;
      controller.abort(new DOMException(`deadline of ${timeoutMs}ms passed`, 'TimeoutError'));
    },
    Math.max(0, timeoutMs),
  );
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    // The runner aborts its signal at the unit's deadline too; a TimeoutError reason means that, not a shutdown.
    timedOut: () =>
      fired || (parent.aborted && (parent.reason as { name?: string } | undefined)?.name === 'TimeoutError'),
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
