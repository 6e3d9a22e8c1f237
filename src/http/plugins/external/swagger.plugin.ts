import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { ErrorBody } from '../../schemas/common.schema.ts';

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
  });
  await app.register(scalar, {
    routePrefix: '/scalar',
    configuration: { url: '/openapi.json', title: 'Herald API reference' },
  });
}
