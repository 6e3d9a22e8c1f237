import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import { ErrorBody } from '../../schemas/common.schema.ts';
import type { RouteAccess } from '../app/auth.plugin.ts';

type OpenApiOperation = { operationId?: string; responses?: Record<string, unknown>; security?: unknown[] };
type OpenApiDocument = { paths?: Record<string, Record<string, OpenApiOperation>> };
type RouteSchema = Record<string, unknown> & { response?: Record<string, unknown> };

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * A route registered as `/` under a prefix answers both `/prefix` and `/prefix/` (Fastify's
 * default `prefixTrailingSlash: 'both'`), but the route object the generator sees carries the
 * slash form. Document the form without the slash; a route that only answers with the slash
 * keeps it (and the lint names it).
 */
function documentedUrl(route: RouteOptions & { routePath?: string; prefix?: string }): string {
  const bare =
    route.routePath === '/' && Boolean(route.prefix) && (route.prefixTrailingSlash ?? 'both') !== 'slash';
  return bare ? route.prefix! : route.url;
}

/**
 * The client errors a route can answer with, from what it declares: 400 when it validates
 * input, 401 and 403 when it needs a credential with a scope. Missing ones are added in the
 * shape of the route's own 4xx answers when it declares some (a family with its own envelope),
 * otherwise in the one error shape; a route that can refuse nothing in particular still gets
 * the catch-all `4XX` (an unknown method, a body too large, a rate limit).
 */
function withClientErrors(schema: RouteSchema, access: RouteAccess | undefined): RouteSchema {
  const response = { ...schema.response };
  const declared = Object.keys(response).filter((code) => code.startsWith('4'));
  const shape = declared.length > 0 ? response[declared[0]] : Type.Ref('Error');
  const codes: string[] = [];
  if (schema.body || schema.querystring || schema.params || schema.headers) codes.push('400');
  if (access && !('public' in access)) codes.push('401', '403');
  for (const code of codes) response[code] ??= shape;
  if (!Object.keys(response).some((code) => code.startsWith('4'))) response['4XX'] = shape;
  return { ...schema, response };
}

/** `GET /api/v1/users/{id}/password` → `getApiV1UsersByIdPassword`: stable while the route is. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? ['by', ...param[1].split(/[^A-Za-z0-9]+/)] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1));
  return method.toLowerCase() + (words.length > 0 ? words.join('') : 'Root');
}

/** Every operation gets an operationId (its own, or one derived from method and path), unique. */
function withOperationIds(document: OpenApiDocument): OpenApiDocument {
  const taken = new Set<string>();
  const entries = Object.entries(document.paths ?? {}).flatMap(([url, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => ({ url, method, operation })),
  );
  for (const { operation } of entries) if (operation.operationId) taken.add(operation.operationId);
  for (const { url, method, operation } of entries) {
    if (operation.operationId) continue;
    const base = operationIdOf(method, url);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
    operation.operationId = id;
    taken.add(id);
  }
  return document;
}

/**
 * Scalar's plugin module carries its browser bundle as one 4 MB string, which would cost every
 * server its memory and start-up time though few ever open the reference. So `/scalar` is
 * served by a private Fastify instance with the plugin, built on the first visit and called
 * through inject().
 */
function installLazyReference(app: FastifyInstance): void {
  let reference: Promise<FastifyInstance> | undefined;
  const load = () => {
    reference ??= (async () => {
      const { default: scalar } = await import('@scalar/fastify-api-reference');
      const inner = Fastify({ logger: false });
      await inner.register(scalar, {
        routePrefix: '/scalar',
        configuration: { url: '/openapi.json', title: 'Herald API reference' },
      });
      await inner.ready();
      return inner;
    })();
    reference.catch(() => {
      reference = undefined;
    });
    return reference;
  };
  const relay = async (request: FastifyRequest, reply: FastifyReply) => {
    const inner = await load();
    const res = await inner.inject({ method: 'GET', url: request.url, headers: { host: request.hostname } });
    for (const name of ['content-type', 'location']) {
      const value = res.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    return reply.code(res.statusCode).send(res.rawPayload);
  };
  app.get('/scalar', { schema: { hide: true } }, relay);
  app.get('/scalar/*', { schema: { hide: true } }, relay);
  app.addHook('onClose', async () => {
    const inner = await reference?.catch(() => undefined);
    await inner?.close();
  });
}

/** The OpenAPI 3 document is generated from route schemas; Scalar renders it at /scalar. */
export async function installOpenApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald',
        version: '0.1.0',
        description:
          'Self-hosted notification hub. Authenticate with `Authorization: Bearer <access JWT or zat_ token>`.',
      },
      servers: [{ url: ctx.config.baseUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Access JWT from /api/v1/auth/login, or a zat_ token',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `def-${i}` },
    transform: ({ schema, url, route }) => {
      if (!schema) return { schema, url };
      const access = route.config?.access as RouteAccess | undefined;
      const documented = withClientErrors(schema as RouteSchema, access);
      // Public routes take no credential; the document's default asks for one.
      if (access && 'public' in access) documented.security = [];
      return { schema: documented as typeof schema, url: url === route.url ? documentedUrl(route) : url };
    },
    transformObject: (document) =>
      'openapiObject' in document
        ? (withOperationIds(document.openapiObject as OpenApiDocument) as typeof document.openapiObject)
        : document.swaggerObject,
  });
  installLazyReference(app);
}
