/** Reading s3:// locations and the AWS_* environment, and turning S3 failures into errors that say what to check. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackupError } from './errors.js';
import { describeS3, parseS3Url, s3Error } from './s3-config.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr-very-secret' };

describe('parseS3Url', () => {
  it('reads bucket and prefix, region and endpoint from the environment, credentials only from it', () => {
    assert.deepEqual(parseS3Url('s3://my-backups/shop/db', { ...KEYS, AWS_REGION: 'eu-west-1' }), {
      bucket: 'my-backups',
      prefix: 'shop/db/',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalr-very-secret' },
    });
    assert.deepEqual(parseS3Url('s3://b-1', { AWS_DEFAULT_REGION: 'ap-south-1' }), {
      bucket: 'b-1',
      prefix: '',
      region: 'ap-south-1',
    });
    const r2 = parseS3Url('s3://b-1/x/', {
      AWS_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com/',
      AWS_SESSION_TOKEN: 'tok',
      ...KEYS,
    });
    assert.equal(r2.endpoint, 'https://acct.r2.cloudflarestorage.com');
    assert.equal(r2.region, 'us-east-1');
    assert.equal(r2.credentials?.sessionToken, 'tok');
    assert.equal(
      parseS3Url('s3://b-1', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' }).endpoint,
      'http://s3',
    );
  });

  it("lets the URL's endpoint and region win over the environment", () => {
    const loc = parseS3Url('s3://b-1/p?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=auto', {
      AWS_ENDPOINT_URL: 'https://elsewhere',
      AWS_REGION: 'eu-west-1',
    });
    assert.equal(loc.endpoint, 'http://127.0.0.1:9000');
    assert.equal(loc.region, 'auto');
  });

  it('refuses malformed locations and credentials in the URL, never echoing them', () => {
    const refuses = (to: string, env: Record<string, string>, message: RegExp, secret?: string) =>
      assert.throws(
        () => parseS3Url(to, env),
        (err) =>
          err instanceof BackupError &&
          err.reason === 'config' &&
          message.test(err.message) &&
          (secret === undefined || !err.message.includes(secret)),
      );
    refuses('s3://AKID:topsecret@bucket/x', {}, /carries no credentials; set AWS_ACCESS_KEY_ID/, 'topsecret');
    refuses('s3://bucket/x?secretKey=topsecret', {}, /unknown option "secretKey"/, 'topsecret');
    refuses('s3://', {}, /not a valid S3 location: write s3:\/\/<bucket>\/<prefix>/);
    refuses('s3://Bad_Bucket/x', {}, /not a valid S3 location/);
    refuses('s3://bucket/x', { AWS_ACCESS_KEY_ID: 'AKID' }, /AWS_SECRET_ACCESS_KEY is not set/);
    refuses('s3://bucket/x', { AWS_ENDPOINT_URL: 'minio:9000' }, /endpoint must be an http\(s\) URL/);
    refuses('s3://bucket/x', { AWS_ENDPOINT_URL: 'https://k:topsecret@minio' }, /without credentials/, 'topsecret');
  });

  it('describes a location as s3://bucket/prefix only', () => {
    assert.equal(describeS3({ bucket: 'b', prefix: 'a/b/' }), 's3://b/a/b');
    assert.equal(describeS3({ bucket: 'b', prefix: '' }), 's3://b');
  });
});

describe('s3Error', () => {
  const loc = parseS3Url('s3://bkt/pre', { AWS_REGION: 'eu-west-1' });
  const sdkError = (name: string, status: number) =>
    Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

  it('names the variables to check when access is denied, for every way S3 says so', () => {
    for (const err of [
      sdkError('AccessDenied', 403),
      sdkError('InvalidAccessKeyId', 403),
      sdkError('SignatureDoesNotMatch', 403),
      sdkError('Forbidden', 403),
    ]) {
      const e = s3Error(err, 'listing archives', loc);
      assert.equal(e.reason, 'target');
      assert.match(
        e.message,
        /^listing archives at s3:\/\/bkt\/pre failed: access denied \(\w+\) by AWS S3 \(eu-west-1\)/,
      );
      assert.match(e.message, /Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    }
  });

  it('says a missing bucket, a wrong region, an unreachable endpoint and anything else apart', () => {
    assert.match(s3Error(sdkError('NoSuchBucket', 404), 'x', loc).message, /the bucket "bkt" does not exist/);
    assert.match(s3Error(sdkError('PermanentRedirect', 301), 'x', loc).message, /Set AWS_REGION/);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.match(
      s3Error(refused, 'x', loc).message,
      /cannot reach the S3 endpoint AWS S3 \(eu-west-1\) \(ECONNREFUSED\)/,
    );
    assert.equal(
      s3Error(sdkError('InternalError', 500), 'x', loc).message,
      'x at s3://bkt/pre failed: InternalError (HTTP 500): InternalError message',
    );
    const typed = new BackupError('already said', 'target');
    assert.equal(s3Error(typed, 'x', loc), typed);
  });
});
