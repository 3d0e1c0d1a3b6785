/** Settings: the plan (reload with its errors shown), users, API tokens, channels (redacted), require 2FA. */
import { useState } from 'preact/hooks';
import { useAction } from '../components/actions';
import { Empty, ErrorNote, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { useCan } from '../lib/session';
import type { ChannelState, PlanInfo, Role } from '../lib/types';
import { useApi } from '../lib/use-api';
import { AccountPanel } from './account';

interface User {
  id: string;
  email: string;
  role: Role;
  totp?: boolean;
  createdAt?: number;
}

interface Token {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** The settings page. */
export function SettingsPage() {
  const admin = useCan('admin');
  return (
    <>
      <header class="page-head">
        <h1>Settings</h1>
      </header>
      <PlanPanel />
      <AccountPanel />
      {admin ? (
        <>
          <UsersPanel />
          <TokensPanel />
          <SecurityPanel />
        </>
      ) : (
        <p class="muted">Users, tokens and security settings are for admins.</p>
      )}
      <ChannelsPanel />
    </>
  );
}

/** The plan file and its last reload; operators reload it here and see its file:line:col errors. */
export function PlanPanel() {
  const plan = useApi<PlanInfo>('/api/plan');
  const operator = useCan('operator');
  const { busy, run, note } = useAction(plan.reload);
  const p = plan.data;
  return (
    <Section title="Plan" id="plan">
      <ErrorNote error={plan.error} what="the plan" />
      {p && (
        <p>
          <code>{p.path}</code> loaded <Time at={p.loadedAt} relative />
          {p.lastReload && (
            <>
              {' '}
              · last reload <Time at={p.lastReload.at} relative />{' '}
              <StateBadge state={p.lastReload.ok ? 'ok' : 'failed'} />
            </>
          )}
        </p>
      )}
      {p?.lastReload && !p.lastReload.ok && p.lastReload.issues && (
        <ul class="issues">
          {p.lastReload.issues.map((i) => (
            <li key={`${i.file}:${i.line}:${i.column}`}>
              <code>
                {i.file}:{i.line}:{i.column}: {i.message}
              </code>
            </li>
          ))}
        </ul>
      )}
      {operator && (
        <button type="button" disabled={busy} onClick={() => run('POST', '/api/plan/reload', {}, 'Plan reloaded.')}>
          Reload the plan
        </button>
      )}
      {note}
      <p class="muted">
        upkeep never edits the plan: change <code>upkeep.yml</code>, then reload (or send SIGHUP, or run{' '}
        <code>upkeep reload</code>). A plan with errors is refused and the running plan stays.
      </p>
    </Section>
  );
}

function UsersPanel() {
  const users = useApi<User[]>('/api/users');
  const { busy, run, note } = useAction(users.reload);
  const [form, setForm] = useState({ email: '', role: 'viewer' as Role, password: '' });
  return (
    <Section title="Users" id="users">
      <ErrorNote error={users.error} what="the users" />
      {users.data?.length === 0 && <Empty>No users.</Empty>}
      {users.data && users.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">2FA</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>
                  <label class="visually-hidden" for={`role-${u.id}`}>
                    Role of {u.email}
                  </label>
                  <select
                    id={`role-${u.id}`}
                    value={u.role}
                    disabled={busy}
                    onChange={(e) =>
                      run(
                        'PATCH',
                        `/api/users/${encodeURIComponent(u.id)}`,
                        { role: (e.target as HTMLSelectElement).value },
                        `${u.email} is now ${(e.target as HTMLSelectElement).value}.`,
                      )
                    }
                  >
                    <option value="viewer">viewer</option>
                    <option value="operator">operator</option>
                    <option value="admin">admin</option>
                  </select>
                </td>
                <td>{u.totp ? 'on' : 'off'}</td>
                <td>
                  <button
                    type="button"
                    class="small"
                    disabled={busy}
                    onClick={() =>
                      run('DELETE', `/api/users/${encodeURIComponent(u.id)}`, undefined, `${u.email} removed.`)
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run('POST', '/api/users', form, `${form.email} added as ${form.role}.`);
        }}
      >
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            required
            value={form.email}
            onInput={(e) => setForm({ ...form, email: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>Role</span>
          <select
            value={form.role}
            onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as Role })}
          >
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            autocomplete="new-password"
            required
            minLength={8}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit" disabled={busy}>
          Add user
        </button>
      </form>
      {note}
    </Section>
  );
}

function TokensPanel() {
  const tokens = useApi<Token[]>('/api/tokens');
  const { busy, run, note } = useAction(tokens.reload);
  const [form, setForm] = useState({ name: '', role: 'viewer' as Role });
  const [shown, setShown] = useState<string | null>(null);
  return (
    <Section title="API tokens" id="tokens">
      <ErrorNote error={tokens.error} what="the tokens" />
      {tokens.data?.length === 0 && (
        <Empty>No token: create one for scripts (they send Authorization: Bearer …).</Empty>
      )}
      {tokens.data && tokens.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>
                  <Time at={t.createdAt} />
                </td>
                <td>{t.lastUsedAt ? <Time at={t.lastUsedAt} relative /> : <span class="muted">never</span>}</td>
                <td>
                  {t.revokedAt ? (
                    <>
                      <StateBadge state="disabled" /> revoked <Time at={t.revokedAt} />
                    </>
                  ) : (
                    <button
                      type="button"
                      class="small"
                      disabled={busy}
                      onClick={() =>
                        run('DELETE', `/api/tokens/${encodeURIComponent(t.id)}`, undefined, `${t.name} revoked.`)
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const made = (await run('POST', '/api/tokens', form, `${form.name} created.`)) as
            | { token?: string }
            | undefined;
          setShown(made?.token ?? null);
        }}
      >
        <label class="field">
          <span>Name</span>
          <input
            required
            value={form.name}
            onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>Role</span>
          <select
            value={form.role}
            onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value as Role })}
          >
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
      {note}
      {shown && (
        <p class="secret-once" role="status">
          Copy it now, it is shown only once: <code>{shown}</code>
        </p>
      )}
    </Section>
  );
}

function SecurityPanel() {
  const settings = useApi<{ requireTotp: boolean }>('/api/settings');
  const { busy, run, note } = useAction(settings.reload);
  return (
    <Section title="Security" id="security">
      <ErrorNote error={settings.error} what="the settings" />
      {settings.data && (
        <label class="check">
          <input
            type="checkbox"
            checked={settings.data.requireTotp}
            disabled={busy}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked;
              void run(
                'PUT',
                '/api/settings',
                { requireTotp: on },
                on ? 'Two-factor sign-in is now required.' : 'Two-factor sign-in is optional.',
              );
            }}
          />{' '}
          Require two-factor sign-in (TOTP) for every user
        </label>
      )}
      {note}
    </Section>
  );
}

function ChannelsPanel() {
  const channels = useApi<ChannelState[]>('/api/channels');
  return (
    <Section title="Channels" id="settings-channels">
      <ErrorNote error={channels.error} what="the channels" />
      <p class="muted">Channels are defined in upkeep.yml; their URLs and secrets are never shown here.</p>
      <ul>
        {channels.data?.map((c) => (
          <li key={c.channel}>
            {c.channel} <StateBadge state={c.disabledAt ? 'disabled' : 'ok'} />
          </li>
        ))}
      </ul>
    </Section>
  );
}
