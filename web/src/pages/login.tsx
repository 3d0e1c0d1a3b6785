/** Sign-in (password, then a TOTP or recovery code when asked) and the first admin's setup from the setup link. */
import { useState } from 'preact/hooks';
import { ApiError, api } from '../lib/api';
import { navigate } from '../lib/router';
import { useSession } from '../lib/session';
import type { Me } from '../lib/types';

function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  const retry = err.body?.retryAfterSeconds;
  return typeof retry === 'number' ? `${err.message} (try again in ${retry} s)` : err.message;
}

/** The login page; `next` is where to go once signed in. */
export function LoginPage({ next }: { next: string }) {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'password' | 'totp' | 'recovery'>('password');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body: Record<string, string> = { email, password };
      if (step === 'totp') body.totp = code;
      if (step === 'recovery') body.recoveryCode = code;
      await api<Me>('/api/auth/login', { method: 'POST', body });
      session.refresh();
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required' && step === 'password') {
        setStep('totp');
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="auth">
      <h1>Sign in to upkeep</h1>
      <form onSubmit={submit} aria-describedby="login-error">
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {step !== 'password' && (
          <label class="field">
            <span>{step === 'totp' ? 'Code from your authenticator app' : 'Recovery code'}</span>
            <input
              name="code"
              autocomplete="one-time-code"
              inputMode={step === 'totp' ? 'numeric' : 'text'}
              required
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        {step === 'totp' && (
          <button type="button" class="link" onClick={() => setStep('recovery')}>
            Use a recovery code instead
          </button>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <p id="login-error" class={error ? 'error' : ''} role="alert">
          {error}
        </p>
      </form>
      <p class="muted">
        No account yet? The first <code>upkeep start</code> prints a one-time setup link; or run{' '}
        <code>upkeep user add you@example.com --role admin --password-stdin</code>.
      </p>
    </main>
  );
}

/** The setup page: the link's token, an email and a password make the first admin. */
export function SetupPage({ token }: { token: string }) {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState(
    token ? '' : 'This page needs the setup link upkeep start printed (…/setup?token=…).',
  );
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== again) return setError('The two passwords differ.');
    setBusy(true);
    setError('');
    try {
      await api<Me>('/api/auth/setup', { method: 'POST', body: { token, email, password } });
      session.refresh();
      navigate('/', true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="auth">
      <h1>Set up upkeep</h1>
      <p>Create the first admin. The setup link works once and expires an hour after upkeep printed it.</p>
      <form onSubmit={submit}>
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autocomplete="new-password"
            required
            minLength={8}
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Password again</span>
          <input
            type="password"
            name="password2"
            autocomplete="new-password"
            required
            value={again}
            onInput={(e) => setAgain((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy || !token}>
          Create the admin
        </button>
        <p class={error ? 'error' : ''} role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}
