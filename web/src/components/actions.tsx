/**
 * Operator actions: each is one API call (with the CSRF header), its outcome said in words beside the control.
 * Forms open in a <details> so they are reachable and closable by keyboard without a modal.
 */
import { useState } from 'preact/hooks';
import { ApiError, api } from '../lib/api';
import { useCan } from '../lib/session';

/** The state of one action: running, its result in words, or its error. */
export function useAction(onDone?: () => void) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; details?: string[] } | null>(null);
  const run = async (method: string, path: string, body: unknown, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await api<unknown>(path, { method, body });
      setMessage({ ok: true, text: typeof done === 'string' ? done : 'done' });
      onDone?.();
      return result;
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(String(err), 0);
      const issues = Array.isArray(e.body?.issues)
        ? (e.body.issues as Record<string, unknown>[]).map((i) =>
            i.file ? `${i.file}:${i.line}:${i.column}: ${i.message}` : String(i.message ?? JSON.stringify(i)),
          )
        : undefined;
      setMessage({ ok: false, text: e.message, details: issues });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const note = message ? (
    <div class={message.ok ? 'action-ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
      <span class="shape" aria-hidden="true">
        {message.ok ? '✓' : '!'}
      </span>
      {message.text}
      {message.details && (
        <ul class="issues">
          {message.details.map((d) => (
            <li key={d}>
              <code>{d}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  ) : null;
  return { busy, run, note };
}

/** A one-click action (run now, resume, back up now...). Hidden from viewers. */
export function ActionButton(props: {
  label: string;
  method?: string;
  path: string;
  body?: unknown;
  done: string;
  onDone?: () => void;
  /** Why the action does not apply now (the button is shown disabled, with this as its title). */
  unavailable?: string;
}) {
  const can = useCan('operator');
  const { busy, run, note } = useAction(props.onDone);
  if (!can) return null;
  return (
    <span class="action">
      <button
        type="button"
        disabled={busy || props.unavailable !== undefined}
        title={props.unavailable}
        onClick={() => {
          const method = props.method ?? 'POST';
          // A POST always carries JSON (an empty body is refused); a DELETE carries none.
          void run(method, props.path, props.body ?? (method === 'DELETE' ? undefined : {}), props.done);
        }}
      >
        {props.label}
      </button>
      {note}
    </span>
  );
}

/**
 * An action that needs a few words first (silence for a duration with a note, pause with a reason, a maintenance
 * window): a summary button opening a small form.
 */
export function ActionForm(props: {
  label: string;
  path: string;
  fields: { name: string; label: string; placeholder?: string; required?: boolean; initial?: string }[];
  /** Builds the body from the fields' values (strings). */
  body: (values: Record<string, string>) => unknown;
  done: string;
  onDone?: () => void;
}) {
  const can = useCan('operator');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(props.fields.map((f) => [f.name, f.initial ?? ''])),
  );
  const { busy, run, note } = useAction(props.onDone);
  const formId = `form-${props.path.replace(/[^A-Za-z0-9]+/g, '-')}`;
  if (!can) return null;
  return (
    <details class="action-form">
      <summary>{props.label}…</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run('POST', props.path, props.body(values), props.done);
        }}
      >
        {props.fields.map((f) => {
          const id = `${formId}-${f.name}`;
          return (
            <span class="field" key={f.name}>
              <label for={id}>{f.label}</label>
              <input
                id={id}
                name={f.name}
                value={values[f.name]}
                placeholder={f.placeholder}
                required={f.required}
                onInput={(e) => setValues({ ...values, [f.name]: (e.target as HTMLInputElement).value })}
              />
            </span>
          );
        })}
        <button type="submit" disabled={busy}>
          {props.label}
        </button>
      </form>
      {note}
    </details>
  );
}
