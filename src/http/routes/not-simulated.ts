import type { FastifyInstance } from 'fastify'
import { Errors } from '../../core/errors.js'
import { errorResponses } from '../schemas/common.js'
import { SDK_OPERATIONS, type SdkOperation } from '../sdk-operations.js'
import { inGeneration } from '../plugins/version.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route of an SDK operation the simulator does not implement: it answers 501 not_simulated. */
    notSimulated?: boolean
  }
}

/** A route's shape without its parameter names: "/api/syncs/{id}" and "/api/syncs/:sync_id" are the same route. */
export function routeShape (method: string, path: string): string {
  return `${method} ${path.replace(/\{[^}]+\}|:[^/]+/g, ':')}`
}

/** The SDK operations (both generations', unless others are given) none of the given routes implements. */
export function unsimulatedOperations (
  routes: ReadonlyArray<{ method: string; url: string }>,
  operations: readonly SdkOperation[] = SDK_OPERATIONS
): SdkOperation[] {
  const implemented = new Set(routes.map((r) => routeShape(r.method, r.url)))
  return operations.filter(([method, path]) => !implemented.has(routeShape(method, path)))
}

/**
 * Every operation of the official SDKs that no other route implements answers 501 not_simulated (today none:
 * every operation of 1.18.1 and v25.9.2 is simulated; an operation a newer SDK adds lands here once listed),
 * naming the SDK method as the newest SDK that has it calls it, after the same version, auth, fault and
 * journal hooks as any /api route: a bad credential is still a 401. An operation only the newest SDK has is
 * a route of 2025-09-18 (a 404 before, like the routes that generation brought). A path Polytomic does not
 * have stays a 404. Register inside the /api scope, after every other /api route.
 */
export default async function notSimulatedRoutes (
  api: FastifyInstance,
  options: { operations?: readonly SdkOperation[] }
): Promise<void> {
  for (const [method, path, sdkMethod, sdks] of unsimulatedOperations(api.routeTable, options.operations)) {
    const message =
      `${sdkMethod} (${method} ${path}) is not simulated by polytomic-mock; docs/coverage.md's "Coverage" table ` +
      'lists what is'
    api.route({
      method,
      url: path.slice('/api'.length).replace(/\{([^}]+)\}/g, ':$1'),
      ...(sdks.includes('1.18.1') ? {} : inGeneration('2025-09-18')),
      config: { notSimulated: true },
      schema: { response: errorResponses(400, 401, 403, 501) },
      handler: async () => {
        throw Errors.NotSimulated({
          message,
          metadata: { sdk_method: sdkMethod, sdk_version: sdks[sdks.length - 1], method, path }
        })
      }
    })
  }
}
