import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { boundsOf, defaultConfig, type Config } from '../core/config.js'
import { Errors } from '../core/errors.js'
import { decorateAuth, registerAuth } from './plugins/auth.js'
import { registerErrorHandler, sendError, writeClientError } from './plugins/error-handler.js'
import { registerRequestLog } from './plugins/request-log.js'
import { registerOpenApi } from './plugins/openapi.js'
import { registerJsonBody } from './plugins/json-body.js'
import { decorateIdempotency, registerIdempotency } from './plugins/idempotency.js'
import { registerResponseValidation } from './plugins/response-validation.js'
import { registerStore } from './plugins/store.js'
import { decorateControlPlane } from './plugins/control-plane.js'
import { decorateFaults, registerFaults } from './plugins/faults.js'
import { decorateJournal, registerJournal } from './plugins/journal.js'
import { registerLatency } from './plugins/latency.js'
import { decorateResponseCache, registerResponseCache } from './plugins/response-cache.js'
import { Faults } from '../control/faults.js'
import { Journal } from '../control/journal.js'
import { PACKAGE_VERSION } from '../core/package-info.js'
import type { Generation } from '../core/versions.js'
import adminRoutes from './routes/admin.js'
import consoleRoutes from './routes/console.js'
import {
  GENERATION_CONSTRAINT,
  decorateVersion,
  generationOfRoute,
  generationStrategy,
  registerVersionCheck
} from './plugins/version.js'
import currentOrganizationRoutes from './routes/current-organization.js'
import identityRoutes from './routes/identity.js'
import entityRoutes from './routes/entities.js'
import organizationRoutes from './routes/organizations.js'
import fileRoutes from './routes/files.js'
import policyRoutes from './routes/policies.js'
import notificationRoutes from './routes/notifications.js'
import roleRoutes from './routes/roles.js'
import userRoutes from './routes/users.js'
import connectionRoutes from './routes/connections.js'
import connectPageRoutes from './routes/connect-page.js'
import webhookRoutes from './routes/webhooks.js'
import bulkSyncRoutes from './routes/bulk-syncs.js'
import modelSyncRoutes from './routes/model-syncs.js'
import catalogRoutes from './routes/catalogs.js'
import type { SdkOperation } from './sdk-operations.js'
import notSimulatedRoutes from './routes/not-simulated.js'
import { SyncRunner } from '../background/runner.js'
import { DeliveryDispatcher, DeliveryLog } from '../background/dispatcher.js'
import { Store } from '../store/index.js'
import { readFixtureFile, validateFixtures } from '../store/fixtures.js'
import type { Fixtures } from './schemas/fixtures.js'
import { SHARED_SCHEMAS, requestValidator } from './validation.js'
import { serializerFor } from './serialization.js'

/** A registered route; notSimulated for an SDK operation that only answers 501 not_simulated. */
export interface RouteEntry {
  method: string
  url: string
  statuses: number[]
  notSimulated: boolean
  /** The generation the route belongs to, or null for a route every version shares. */
  generation: Generation | null
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[]
  }
}

export interface AppOptions {
  /** Settings; anything not given takes its default (see src/core/config.ts). */
  config?: Partial<Config>
  /** A fixture document to load instead of the file named by config.fixtures. */
  fixtures?: Fixtures
  /** Fastify logger options; false (the default here) for silence. */
  logger?: FastifyServerOptions['logger']
  /**
   * The SDK operations the simulator knows of (default: both SDK generations', src/http/sdk-operations.ts); one
   * it has no route for answers 501 not_simulated. A test of that machinery names one a future SDK might add.
   */
  sdkOperations?: readonly SdkOperation[]
}

/** Builds the simulator: store, fixtures, plugins and routes. Never listens. */
export async function buildApp (options: AppOptions = {}): Promise<FastifyInstance> {
  const config: Config = { ...defaultConfig(), ...options.config }
  const faults = new Faults(config.faultSeed)
  faults.maxRules = config.rulesMax
  const store = new Store(config.database, {
    eventRetentionMs: config.eventRetentionS * 1000,
    webhookAllowedHosts: config.webhookAllowedHosts,
    random: faults.random,
    syncRunDurationMs: config.syncRunDurationMs,
    bounds: boundsOf(config),
    logUrlTtlMs: config.logUrlTtlS * 1000,
    proxyAllowedHosts: config.proxyAllowedHosts,
    proxyTimeoutMs: config.proxyTimeoutMs,
    proxyRatePerMinute: config.proxyRatePerMinute
  })
  try {
    if (store.isEmpty()) {
      const source = options.fixtures === undefined ? config.fixtures : '<fixtures option>'
      const fixtures =
        options.fixtures === undefined ? readFixtureFile(config.fixtures) : validateFixtures(options.fixtures, source)
      store.replaceWorld(fixtures, source)
    } else {
      store.adoptWorldAsBaseline()
    }
  } catch (err) {
    store.close()
    throw err
  }

  const logging = options.logger !== undefined && options.logger !== false
  const app = Fastify({
    logger: options.logger ?? false,
    // One line per request, written by registerRequestLog, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: it cost more than a GET's lookup. The few lines a request writes name its
    // reqId themselves.
    childLoggerFactory: (logger) => logger,
    // Limits so that a slow, stalled or oversized client cannot hold the server (slowloris and kin).
    bodyLimit: config.bodyLimit,
    // A route may belong to one generation of the API (src/http/plugins/version.ts).
    routerOptions: {
      maxParamLength: 200,
      constraints: { [GENERATION_CONSTRAINT]: generationStrategy(config.defaultVersion) } as unknown as NonNullable<
        NonNullable<FastifyServerOptions['routerOptions']>['constraints']
      >
    },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    http: {
      maxHeaderSize: 16 * 1024,
      headersTimeout: Math.min(10_000, config.requestTimeoutMs),
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs)
    },
    clientErrorHandler: writeClientError,
    // Errors Fastify raises before routing (a malformed URL) get the same body as every other error.
    frameworkErrors: (err, request, reply) => {
      sendError(request, reply, err)
    }
  })
  registerStore(app, store)
  store.webhooks.listeningPorts = () => {
    const address = app.server.listening ? app.server.address() : null
    return address !== null && typeof address === 'object' ? [address.port] : []
  }
  registerErrorHandler(app)
  if (logging) registerRequestLog(app)
  const journal = new Journal({
    entries: config.journalSize,
    bodyBytes: config.journalBodyBytes,
    totalBytes: config.journalBytes
  })
  // One log line per delivery attempt, like the one per request: no body, no secret.
  const deliveryLog = new DeliveryLog(config.deliveryLogSize, (attempt) => {
    app.log.info(
      {
        delivery: {
          event_id: attempt.event_id,
          event_type: attempt.event_type,
          organization_id: attempt.organization_id,
          endpoint: attempt.endpoint,
          attempt: attempt.attempt,
          outcome: attempt.outcome,
          status: attempt.status,
          error: attempt.error,
          duration_ms: attempt.duration_ms
        }
      },
      'webhook delivery'
    )
  })
  const dispatcher = new DeliveryDispatcher(store, store.clock, deliveryLog, {
    retryBaseMs: config.webhookRetryBaseMs,
    timeoutMs: config.webhookTimeoutMs,
    allowedHosts: config.webhookAllowedHosts,
    signature: { algorithm: config.webhookSignatureAlgorithm, encoding: config.webhookSignatureEncoding },
    userAgent: `polytomic-mock/${PACKAGE_VERSION}`
  })
  decorateVersion(app)
  decorateAuth(app)
  decorateIdempotency(app)
  decorateFaults(app, faults)
  decorateJournal(app, journal)
  decorateResponseCache(app)
  const runner = new SyncRunner(store, store.clock, app.log, { scheduling: config.syncScheduling })
  decorateControlPlane(app, store, journal, faults, dispatcher, runner, config.adminToken !== null)
  // One Ajv for every request part (src/http/validation.ts) and serializers compiled once per process
  // (src/http/serialization.ts).
  app.setValidatorCompiler(({ schema }) => requestValidator(schema))
  app.setSerializerCompiler(({ schema }) => serializerFor(schema))
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)

  registerJsonBody(app)

  // Every route with the statuses it declares, for the OpenAPI check and the property-based suite.
  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const responses = (route.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {}
      if (method !== 'HEAD') {
        routeTable.push({
          method,
          url: route.url,
          statuses: Object.keys(responses).map(Number),
          notSimulated: route.config?.notSimulated === true,
          // Read when asked: a scope's own onRoute hook (onlyInGeneration) sets the constraint after this one.
          get generation () {
            return generationOfRoute(route.constraints)
          }
        })
      }
    }
  })
  registerOpenApi(app, config.defaultVersion, SHARED_SCHEMAS)

  await app.register(
    async (api) => {
      registerVersionCheck(api, config)
      registerLatency(api, config.latencyMs, faults.random)
      await registerAuth(api, store)
      registerIdempotency(api, store, config.idempotencyTtlS)
      registerFaults(api, faults, store, config.faultRetryAfterS)
      registerJournal(api, journal, store)
      if (config.validateResponses) registerResponseValidation(api)
      registerResponseCache(api, store)
      await api.register(organizationRoutes)
      await api.register(userRoutes)
      await api.register(identityRoutes)
      await api.register(entityRoutes)
      await api.register(roleRoutes)
      await api.register(policyRoutes)
      await api.register(notificationRoutes)
      await api.register(currentOrganizationRoutes)
      await api.register(connectionRoutes, { connectTokenTtlS: config.connectTokenTtlS })
      await api.register(webhookRoutes)
      await api.register(bulkSyncRoutes)
      await api.register(modelSyncRoutes)
      await api.register(catalogRoutes)
      await api.register(notSimulatedRoutes, { operations: options.sdkOperations })
      api.setNotFoundHandler((_request, reply) => {
        reply.send(Errors.RouteNotFound())
      })
    },
    { prefix: '/api' }
  )

  await app.register(connectPageRoutes, { prefix: '/connect' })
  await app.register(fileRoutes, { prefix: '/files' })
  await app.register(adminRoutes, { prefix: '/__admin', adminToken: config.adminToken })
  await app.register(consoleRoutes, {
    prefix: '/__admin',
    adminToken: config.adminToken,
    streamsMax: config.adminStreamsMax
  })

  app.setNotFoundHandler((_request, reply) => {
    reply.send(Errors.RouteNotFound())
  })
  return app
}
