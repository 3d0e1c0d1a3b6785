/**
 * The API's one schema source: routes declare zod schemas for params, query and body; fastify-type-provider-zod
 * validates with them and @fastify/swagger turns the same schemas into the OpenAPI 3.1 document at
 * `GET /api/openapi.json`. Also the one error shape for requests the API refuses before a handler runs.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';

/** The largest request body the API reads (JSON bodies are small: reasons, notes, names). */
export const API_BODY_LIMIT = 64 * 1024;

/** Sets the zod validator and serializer and registers the OpenAPI generator (call before any route). */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'upkeep API',
        version,
        description:
          'The JSON API of upkeep. Scripts authenticate with `Authorization: Bearer <token>` (`upkeep token create`). ' +
          'Errors are `{ error, code?, issues? }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'upkeep_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
}

/** Serves the generated document (public: it says what the API takes, never what the store holds). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}

/** One issue of a refused request: where (body, params, querystring), the JSON pointer, and what is wrong. */
export interface RequestIssue {
  in: string;
  path: string;
  message: string;
}

/**
 * The answer to a request refused before its handler (invalid fields, unknown fields, malformed JSON, a body too
 * large), or undefined for any other error.
 */
export function refusedRequest(
  err: FastifyError,
  bodyLimit = API_BODY_LIMIT,
): { status: number; body: Record<string, unknown> } | undefined {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'body';
    const issues: RequestIssue[] = err.validation.map((v) => ({
      in: where,
      path: v.instancePath || '/',
      message: v.message ?? 'invalid',
    }));
    const first = issues[0];
    const error = `invalid request: ${first ? `${first.in} ${first.path}: ${first.message}` : 'it does not match the API'}`;
    return { status: 400, body: { error, code: 'invalid_request', issues } };
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status: 413,
      body: {
        error: `the request body is too large: this route takes at most ${formatBytes(bodyLimit)}`,
        code: 'body_too_large',
      },
    };
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.statusCode === 400 && err instanceof SyntaxError))
    return { status: 400, body: { error: `the request body is not valid JSON: ${err.message}`, code: 'invalid_json' } };
  if (err.code?.startsWith('FST_ERR_CTP_'))
    return { status: err.statusCode ?? 400, body: { error: err.message, code: 'invalid_request' } };
  return undefined;
}

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}
