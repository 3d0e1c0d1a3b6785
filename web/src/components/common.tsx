/** Small pieces every page uses: errors in words, empty states that say what to do, copyable lines, paging. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiError } from '../lib/api';

/** An API error as a sentence, with what to do for the common cases. */
export function ErrorNote({ error, what }: { error: ApiError | undefined; what?: string }) {
  if (!error) return null;
  const hint =
    error.status === 404 && /no route/.test(error.message)
      ? ' This upkeep does not have that API yet (an older version?).'
      : error.status === 403
        ? ' Your role does not allow this; ask an admin.'
        : '';
  return (
    <p class="error" role="alert">
      <span class="shape" aria-hidden="true">
        !
      </span>
      {what ? `Could not load ${what}: ` : ''}
      {error.message}
      {hint}
    </p>
  );
}

/** An empty list: what it means and the next step. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Shown while the first answer is on its way. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A command or URL to copy, with a button (keyboard reachable) that says when it copied. */
export function CopyLine({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState<string>('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('select the text and copy it by hand');
    }
  };
  return (
    <div class="copy">
      <span class="copy-label">{label}</span>
      <code class="copy-text">{text}</code>
      <button type="button" class="small" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span class="muted" aria-live="polite">
        {copied}
      </span>
    </div>
  );
}

/** Client-side paging over a list: shows `size` rows and the controls to move. */
export function usePage<T>(rows: T[], size = 50): { page: T[]; pager: ComponentChildren } {
  const [at, setAt] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(at, pages - 1);
  const page = rows.slice(p * size, (p + 1) * size);
  const pager =
    pages <= 1 ? null : (
      <nav class="pager" aria-label="pages">
        <button type="button" class="small" disabled={p === 0} onClick={() => setAt(p - 1)}>
          ← Previous
        </button>
        <span>
          page {p + 1} of {pages} ({rows.length} rows)
        </span>
        <button type="button" class="small" disabled={p >= pages - 1} onClick={() => setAt(p + 1)}>
          Next →
        </button>
      </nav>
    );
  return { page, pager };
}

/** A section with a heading. */
export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
