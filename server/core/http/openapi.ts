import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../../kit/version.ts';

/**
 * OpenAPI from the routes' own TypeBox schemas: the UI at /docs, the document at /docs/json.
 * Must be registered before the routes it documents.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Volno server API',
        description:
          'Parking availability from edge cameras: lots, counts, per-slot states, history, live updates and open data. Times are RFC 3339 UTC; JSON keys are snake_case. Errors are `{code, message, status}` with stable codes.',
        version: VERSION,
      },
      tags: [
        { name: 'availability', description: 'Public: lots, counts, slots, live updates.' },
        { name: 'history', description: 'Public: occupancy over time for charts.' },
        { name: 'open data', description: 'Public: standard formats for other systems.' },
        { name: 'reservations', description: 'Public: book a space; a booking is reached only by its secret token.' },
        {
          name: 'staff',
          description:
            'Needs a staff session (log in at /staff/login; state-changing requests also send `x-csrf-token`) or the staff token. Before the first account exists, requests from the server itself pass.',
        },
        { name: 'operations', description: 'Probes and metrics.' },
      ],
      components: {
        securitySchemes: {
          staffToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'http.staff_token: an admin credential for scripts.',
          },
          staffSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'volno_staff',
            description: 'Session cookie from POST /staff/login.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
