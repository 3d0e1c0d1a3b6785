/** The words every channel uses for a message: one title, labelled facts and a link, so all channels agree. */
import type { AlertMessage } from '../channel.js';

/** How a message looks: the severity while firing, or what the event was. */
export type Tone = 'critical' | 'warning' | 'info' | 'resolved' | 'test';

/** One labelled line of a message: "Since: 2026-03-01 10:00:00 UTC (5m ago)". */
export interface Fact {
  label: string;
  value: string;
}

/** The tone of a message: resolved and test messages are not about a severity. */
export function toneOf(message: AlertMessage): Tone {
  if (message.event === 'resolved') return 'resolved';
  if (message.event === 'test') return 'test';
  return message.severity ?? 'info';
}

/** `2026-03-01 10:00:00 UTC`: channels do not know the plan's zone, and UTC is unambiguous across a team. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A span for people: `42s`, `5m`, `1h 5m`, `2d 3h`. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** The one-line title, ASCII only so it also fits HTTP headers (ntfy) and mail subjects. */
export function alertTitle(message: AlertMessage): string {
  const severity = (message.severity ?? 'info').toUpperCase();
  switch (message.event) {
    case 'firing':
      return `[${severity}] ${message.unitId} is failing`;
    case 'reminder':
      return `[${severity}] ${message.unitId} is still failing`;
    case 'resolved':
      return `[RESOLVED] ${message.unitId} is back to normal`;
    case 'test':
      return '[TEST] upkeep can reach this channel';
  }
}

/** What broke, since when, the last observation and the target, as labelled lines. */
export function alertFacts(message: AlertMessage): Fact[] {
  const span = formatSpan(message.at - message.since);
  switch (message.event) {
    case 'firing':
    case 'reminder':
      return [
        { label: 'What broke', value: message.reason },
        { label: 'Since', value: `${formatTime(message.since)} (${span} ago)` },
        { label: 'Last observation', value: message.summary },
        { label: 'Target', value: message.target },
      ];
    case 'resolved':
      return [
        { label: 'Resolved', value: message.reason },
        { label: 'Failing since', value: `${formatTime(message.since)} (for ${span})` },
        { label: 'Last observation', value: message.summary },
        { label: 'Target', value: message.target },
      ];
    case 'test':
      return [
        { label: 'Message', value: message.reason },
        { label: 'Sent at', value: formatTime(message.at) },
        { label: 'Channel', value: message.target },
      ];
  }
}

/** The whole message as plain text: title, facts, link. */
export function alertText(message: AlertMessage): string {
  const facts = alertFacts(message).map((f) => `${f.label}: ${f.value}`);
  return [alertTitle(message), ...facts, `Open: ${message.url}`].join('\n');
}

/** The facts and link without the title, for channels that show the title apart (ntfy, Gotify, Pushover). */
export function alertBody(message: AlertMessage): string {
  return [...alertFacts(message).map((f) => `${f.label}: ${f.value}`), `Open: ${message.url}`].join('\n');
}

/** Escapes text for HTML bodies (email, Matrix, Telegram). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Cuts text to `max` characters with an ellipsis, for services with length limits. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
