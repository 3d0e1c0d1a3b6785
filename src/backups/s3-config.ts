/**
 * The S3 target's pure parts: reading `to: s3://bucket/prefix` and the environment into options, and turning S3 and
 * network failures into BackupErrors that say what to check. No credentials ever reach a message.
 */
import { BackupError } from './errors.js';

/** AWS-style credentials; only ever passed to the SDK. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where an S3 target stores and how it connects. */
export interface S3Location {
  bucket: string;
  /** Key prefix, empty or ending in `/`. */
  prefix: string;
  region: string;
  /** An S3-compatible service's endpoint (MinIO, Backblaze B2, Cloudflare R2); undefined is AWS itself. */
  endpoint?: string;
  /** From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; undefined lets the SDK find them (profile, instance role). */
  credentials?: S3Credentials;
}

const QUERY_KEYS = ['endpoint', 'region'];

/**
 * Reads `s3://bucket/prefix[?endpoint=https://...&region=...]` with AWS_REGION (or AWS_DEFAULT_REGION),
 * AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from
 * `env`; the URL's own endpoint and region win. Throws a `config` BackupError for a malformed URL.
 */
export function parseS3Url(to: string, env: Readonly<Record<string, string | undefined>>): S3Location {
  const shown = `${to.split(/[?#]/)[0]}`;
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(to);
  const authority = m?.[1] ?? '';
  if (authority.includes('@')) {
    // Not echoed: what is before the @ is probably a key.
    throw new BackupError(
      'backup.to: an s3:// URL carries no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment',
      'config',
    );
  }
  // Bucket names: 3-63 lowercase letters, digits, dots and hyphens (S3's rules, which compatible services share).
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(authority)) {
    throw new BackupError(
      `backup.to "${shown}" is not a valid S3 location: write s3://<bucket>/<prefix>, e.g. s3://my-backups/shop`,
      'config',
    );
  }
  const params = new URLSearchParams(m[3] ?? '');
  for (const key of params.keys()) {
    if (!QUERY_KEYS.includes(key)) {
      throw new BackupError(
        `backup.to "${shown}": unknown option "${key}" (known: ${QUERY_KEYS.join(', ')}); credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        'config',
      );
    }
  }
  const path = decodeURIComponent(m[2] ?? '').replace(/^\/+|\/+$/g, '');
  const endpoint =
    nonEmpty(params.get('endpoint')) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/@]+(\/|$)/.test(endpoint)) {
    throw new BackupError(
      `backup.to "${shown}": the S3 endpoint must be an http(s) URL without credentials, e.g. https://<account>.r2.cloudflarestorage.com`,
      'config',
    );
  }
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new BackupError(
      `backup.to "${shown}": ${missing} is not set (set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither)`,
      'config',
    );
  }
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  return {
    bucket: authority,
    prefix: path === '' ? '' : `${path}/`,
    // S3-compatible services mostly ignore the region (R2 wants "auto", which us-east-1 is treated as).
    region:
      nonEmpty(params.get('region')) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    ...(endpoint !== undefined ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}

/** `s3://bucket/prefix`, for people: no endpoint options, never credentials. */
export function describeS3(location: Pick<S3Location, 'bucket' | 'prefix'>): string {
  return `s3://${location.bucket}/${location.prefix.replace(/\/$/, '')}`.replace(/\/$/, '');
}

const ACCESS_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'CredentialsProviderError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
]);

/** What failed, for the message: `writing x.age`, `listing`. */
export type S3Action = string;

/**
 * An S3 SDK or network failure as a `target` BackupError saying what to check. The SDK error is not kept as the
 * cause (its response metadata is not ours to log); its code and message are.
 */
export function s3Error(err: unknown, action: S3Action, location: S3Location): BackupError {
  if (err instanceof BackupError) return err;
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  const code = e.Code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const where = describeS3(location);
  const endpoint = location.endpoint ?? `AWS S3 (${location.region})`;
  const cause = new Error(`${code}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`);
  if (code === 'NoSuchBucket') {
    return new BackupError(
      `${action} at ${where} failed: the bucket "${location.bucket}" does not exist at ${endpoint}. ` +
        'Create it, or fix the bucket in backup.to (and AWS_ENDPOINT_URL if it lives elsewhere)',
      'target',
      { cause },
    );
  }
  if (ACCESS_CODES.has(code) || status === 403 || status === 401) {
    return new BackupError(
      `${action} at ${where} failed: access denied (${code}) by ${endpoint}. Check AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), and that this key may list, read, write ' +
        'and delete objects and abort multipart uploads under the prefix',
      'target',
      { cause },
    );
  }
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || status === 301) {
    return new BackupError(
      `${action} at ${where} failed: the bucket is in another region than ${location.region} (${code}). ` +
        "Set AWS_REGION to the bucket's region",
      'target',
      { cause },
    );
  }
  const netCode = e.code ?? e.cause?.code ?? e.name;
  if (netCode !== undefined && NETWORK_CODES.has(netCode)) {
    return new BackupError(
      `${action} at ${where} failed: cannot reach the S3 endpoint ${endpoint} (${netCode}). Check ` +
        'AWS_ENDPOINT_URL (or ?endpoint= in backup.to), that the service is up, and the network between',
      'target',
      { cause },
    );
  }
  return new BackupError(`${action} at ${where} failed: ${cause.message}`, 'target', { cause });
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value.trim();
}
