/** The signed-in user's own account: change the password, turn on two-factor sign-in and keep the recovery codes. */
import { useState } from 'preact/hooks';
import { useAction } from '../components/actions';
import { Section } from '../components/common';
import { useSession } from '../lib/session';

/** Password and TOTP for the current user (hidden without accounts). */
export function AccountPanel() {
  const { me, refresh } = useSession();
  const pw = useAction();
  const totp = useAction(refresh);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [enroll, setEnroll] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  if (!me) return null;
  return (
    <Section title={`Your account (${me.user.email}, ${me.user.role})`} id="account">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void pw.run(
            'POST',
            '/api/auth/password',
            { current, next },
            'Password changed; your other sessions were signed out.',
          );
        }}
      >
        <label class="field">
          <span>Current password</span>
          <input
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>New password</span>
          <input
            type="password"
            autocomplete="new-password"
            required
            minLength={8}
            value={next}
            onInput={(e) => setNext((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={pw.busy}>
          Change password
        </button>
      </form>
      {pw.note}
      <h3>Two-factor sign-in</h3>
      {me.user.totp ? (
        <p>On: sign-in asks for a code from your authenticator app.</p>
      ) : enroll ? (
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const r = (await totp.run('POST', '/api/auth/totp/confirm', { code }, 'Two-factor sign-in is on.')) as
              | { recoveryCodes?: string[] }
              | undefined;
            if (r?.recoveryCodes) setCodes(r.recoveryCodes);
          }}
        >
          <p>
            Add this secret to your authenticator app: <code>{enroll.secret}</code> (or open{' '}
            <a href={enroll.otpauthUrl} data-external>
              the otpauth link
            </a>
            ), then type the code it shows.
          </p>
          <label class="field">
            <span>Code</span>
            <input
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={totp.busy}>
            Confirm
          </button>
        </form>
      ) : (
        <button
          type="button"
          disabled={totp.busy}
          onClick={async () =>
            setEnroll(
              ((await totp.run('POST', '/api/auth/totp/enroll', {}, 'Scan the secret below.')) as typeof enroll) ??
                null,
            )
          }
        >
          Turn on two-factor sign-in
        </button>
      )}
      {totp.note}
      {codes && (
        <div class="secret-once" role="status">
          Keep these recovery codes somewhere safe; each works once and they are shown only now:
          <ul>
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Section>
  );
}
