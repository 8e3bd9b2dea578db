import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp, type AppOptions } from '../src/http/app.js'
import { uuidV5 } from '../src/store/ids.js'

/** The bundled world (fixtures/default.json), by name. */
export const W = {
  deploymentKey: 'deployment-key-local',
  acme: {
    partnerId: '6a1d3c5e-2f4b-4d8a-9c1e-3b5d7f9a1c2e',
    key: 'partner-key-acme',
    ownerOrgId: '0f4e2d6c-8b1a-4c3e-9d5f-7a9b1c3d5e7f'
  },
  globex: {
    partnerId: '9b2e4d6f-1a3c-4e5b-8d7f-2c4e6a8b0d1f',
    key: 'partner-key-globex',
    ownerOrgId: '3c5e7a9b-1d2f-4a6c-8e0b-5d7f9b1c3e5a',
    customerOrgId: '7d9f1b3d-5e6a-4c8e-a0b2-4f6a8c0e2b4d',
    adminUserId: 'd6a4f2b5-ae7a-4cbd-af5b-4a5e6c7d8f9a',
    adminKey: 'user-key-globex-admin',
    /** UUID v5 of the customer organization id and "Admin". */
    customerAdminRoleId: uuidV5('7d9f1b3d-5e6a-4c8e-a0b2-4f6a8c0e2b4d', 'Admin')
  },
  org: {
    id: '248df4b7-aa70-47b8-a036-33ac447e668d',
    adminRoleId: 'd9f8e7c6-b5a4-4d3c-9b8a-7e6f5d4c3b2a',
    /** UUID v5 of the organization id and "Member". */
    memberRoleId: 'aad16f3d-5f58-55cc-bbaa-7b365f4eaa4f',
    analystRoleId: '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716',
    orgKey: 'org-key-my-organization'
  },
  jane: {
    id: 'a3f1c9e2-7b4d-4f8a-9c2e-1d2b3f4a5c6d',
    email: 'jane.doe@polytomic.com',
    key: 'user-key-jane'
  },
  /** The bundled Postgres connection of Acme Partner HQ, and its shared copy in My Organization. */
  warehouse: {
    id: 'e1c4a7d2-3b5f-4c8e-9a1d-6f2b4c8e0a13',
    copyId: 'f2d5b8e3-4c6a-4d9f-8b2e-7a3c5d9f1b24',
    name: 'Acme Warehouse'
  },
  /**
   * My Organization's Snowflake destination, and the bulk sync from the shared warehouse copy into it, with
   * its one completed run.
   */
  analytics: {
    id: 'c3e6a9f4-5d7b-4e0a-9c3f-8b4d6e0a2c35',
    name: 'Analytics Snowflake'
  },
  bulkSync: {
    id: 'd4f7b0a5-6e8c-4f1b-8d4a-9c5e7f1b3d46',
    name: 'Acme Warehouse to Snowflake',
    executionId: 'e5a8c1b6-7f9d-4a2c-9e5b-0d6f8a2c4e57'
  },
  john: {
    id: 'b4e2d0f3-8c5e-4a9b-8d3f-2e3c4a5b6d7e',
    email: 'john.smith@polytomic.com',
    key: 'user-key-john'
  }
} as const

export const JANE = {
  id: W.jane.id,
  email: W.jane.email,
  organization_id: W.org.id,
  role: 'admin',
  role_ids: [W.org.adminRoleId]
}

export function bearer (key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` }
}

export function basic (username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
}

/** A fresh app over its own in-memory database, closed when the test ends. */
export async function build (t: Test, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    ...options,
    config: { database: ':memory:', validateResponses: true, ...options.config }
  })
  t.teardown(() => app.close())
  return app
}

export interface Call {
  status: number
  headers: LightMyRequestResponse['headers']
  body: unknown
}

/** inject() with a JSON body and a parsed JSON response (undefined for an empty one). */
export async function call (
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  headers: Record<string, string> = {},
  body?: unknown
): Promise<Call> {
  const options: InjectOptions = { method, url, headers: { ...headers } }
  if (body !== undefined) {
    options.payload = typeof body === 'string' ? body : JSON.stringify(body)
    options.headers = { 'content-type': 'application/json', ...headers }
  }
  const res = await app.inject(options)
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : JSON.parse(res.body) }
}

/** The ApiError body (reference 8.1). */
export function apiError (
  status: number,
  key: string,
  message: string,
  metadata: Record<string, unknown> = {}
): Record<string, unknown> {
  return { status, message, key, metadata }
}

/** Listens on 127.0.0.1 port 0 (a real socket, for real clients) and returns the base URL. */
export async function listen (app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' })
}

/**
 * Waits until `condition` holds, checking once per turn of the event loop: a wait on a signal,
 * not on the clock. The bound is generous; only a condition that never comes reaches it.
 */
export async function until (
  what: string,
  condition: () => boolean | Promise<boolean>,
  boundMs = 60_000
): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > boundMs) throw new Error(`gave up waiting for ${what} after ${boundMs} ms`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** A valid PostgreSQL configuration (the password is the only secret). */
export function postgres (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hostname: 'db.example.com',
    port: 5432,
    database: 'analytics',
    username: 'loader',
    password: 's3cret-pw',
    ...overrides
  }
}

/** A permission policy of My Organization (granting nothing), made by Jane: an id a resource's `policies` can name. */
export async function createPolicy (app: FastifyInstance, name = 'Test policy'): Promise<string> {
  const res = await call(app, 'POST', '/api/permissions/policies', bearer(W.jane.key), { name })
  if (res.status !== 200) throw new Error(`creating a policy answered ${res.status}: ${JSON.stringify(res.body)}`)
  return (res.body as { data: { id: string } }).data.id
}
