import { renameSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp } from '../http/app.js'
import { AdminError, CONTROL_ROUTES, type ControlName, type Controls } from '../control/controls.js'
import { ApiError, validationError } from '../core/errors.js'
import { compileSchema } from '../http/validation.js'
import { OpenApiQuery } from '../http/schemas/admin.js'
import { SUPPORTED_VERSIONS, type ApiVersion } from '../core/versions.js'
import { ConfigError, configFromOptions, type Config } from '../core/config.js'
import type { Fixtures } from '../http/schemas/fixtures.js'

/** A setting in code: its typed value, or the command line's string form ("250", "100-400", "true"). */
export type SettingOptions = {
  [K in Exclude<keyof Config, 'fixtures'>]?: Config[K] | string | (K extends 'latencyMs' ? number : never)
}

export type SimulatorOptions = SettingOptions & {
  /** A fixture file path, or the document itself. Defaults to the bundled fixtures. */
  fixtures?: string | Fixtures
  /** Fastify logger options; off unless given. */
  logger?: FastifyServerOptions['logger']
}

export interface ListenOptions {
  port?: number
  host?: string
  /** Keep the process running while the simulator listens, as a server does; off for a test suite's simulator. */
  keepProcessAlive?: boolean
}

/**
 * A simulator in this process: the app, its URL once listening, and every control of `Controls` (the same as the
 * admin client's over HTTP, answering at once rather than in a promise but where they wait).
 */
export interface Simulator extends Controls<false> {
  /** The Fastify instance: use app.inject() for requests without a socket. */
  readonly app: FastifyInstance
  /** The base URL once listening, else null. */
  readonly url: string | null
  readonly config: Config
  /**
   * Starts listening (defaults: the configured port and host; port 0 picks a free one) and returns
   * the base URL. The socket does not keep the process alive, so a test run that forgets close()
   * still ends; a script whose only job is to serve passes keepProcessAlive: true (the CLI does).
   */
  listen(options?: ListenOptions): Promise<string>
  /** Stops listening, waits for in-flight requests and closes the database. Safe to call twice. */
  close(): Promise<void>
  /** close(), for `await using sim = await createSimulator()`. */
  [Symbol.asyncDispose](): Promise<void>
  /** Resolves once every query given to the query runner has its answer (settleExecutions waits for it too). */
  queriesAnswered(): Promise<void>
}

/**
 * Writes the port whole or not at all (a temporary file renamed over it), so a script polling for the file
 * never reads half of it.
 */
function writePortFile (file: string, port: number): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${port}\n`)
  renameSync(temporary, file)
}

/**
 * The simulator as a library: a test suite starts it in-process, listens on port 0 and points its
 * client at `url`. Options are the CLI's settings, checked by the same rules (a bad value or an
 * unknown name throws a TypeError naming it); nothing is read from the environment.
 */
export async function createSimulator (options: SimulatorOptions = {}): Promise<Simulator> {
  const { fixtures, logger, ...settings } = options
  if (fixtures !== undefined && typeof fixtures !== 'string' && (typeof fixtures !== 'object' || fixtures === null)) {
    throw new ConfigError(
      `fixtures must be a file path or a fixture document, got ${fixtures === null ? 'null' : typeof fixtures}`
    )
  }
  const config = configFromOptions({ ...settings, ...(typeof fixtures === 'string' ? { fixtures } : {}) })
  const app = await buildApp({ config, fixtures: typeof fixtures === 'object' ? fixtures : undefined, logger })
  const { control } = app
  let url: string | null = null
  let closed = false
  let portFileWritten = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await app.close()
    url = null
    if (portFileWritten && config.portFile !== null) rmSync(config.portFile, { force: true })
  }

  return {
    app,
    config,
    get url () {
      return url
    },
    async listen (listenOptions = {}) {
      url = await app.listen({ port: listenOptions.port ?? config.port, host: listenOptions.host ?? config.host })
      if (listenOptions.keepProcessAlive !== true) {
        // Neither the listening socket nor a kept-alive connection holds the event loop: a test
        // runner (node:test, tap) ends once its tests are done, closed or not. Timers are unref'd where made.
        app.server.unref()
        app.server.on('connection', (socket) => socket.unref())
      }
      if (config.portFile !== null) {
        try {
          writePortFile(config.portFile, (app.server.address() as AddressInfo).port)
        } catch (err) {
          await close()
          throw new Error(`PORT_FILE ${config.portFile} cannot be written (${(err as Error).message})`)
        }
        portFileWritten = true
      }
      return url
    },
    close,
    [Symbol.asyncDispose]: close,
    queriesAnswered: async () => await control.queriesAnswered(),
    ...inProcessControls(app)
  }
}

/** The version an in-process openApi() names, checked as GET /__admin/openapi.json checks it. */
const validateOpenApiQuery = compileSchema<{ version?: ApiVersion }>(OpenApiQuery)

/** Each control of the control plane under its Controls name, its refusals thrown as the admin client's AdminError. */
function inProcessControls (app: FastifyInstance): Controls<false> {
  const { control } = app
  const controls: Controls<false> = {
    health: () => control.health(),
    openApi: async (version) => {
      const query = version === undefined ? {} : { version }
      if (!validateOpenApiQuery(query)) {
        throw validationError('version', `must be one of ${SUPPORTED_VERSIONS.join(', ')}`)
      }
      return await app.openApiDocument(query.version)
    },
    reset: () => control.reset(),
    exportFixtures: (options) => control.exportFixtures(options),
    loadFixtures: (document) => control.replaceFixtures(document, '<loadFixtures>'),
    snapshots: () => control.snapshots(),
    snapshot: (name) => control.snapshot(name),
    restore: (name) => control.restore(name),
    deleteSnapshot: (name) => control.deleteSnapshot(name),
    createTenant: (input) => control.createTenant(input),
    deleteTenant: (partnerId) => control.deleteTenant(partnerId),
    requests: (filter) => control.requests(filter),
    clearRequests: () => control.clearRequests(),
    faults: () => control.faultRules(),
    addFault: (rule) => control.addFault(rule),
    removeFault: (id) => control.removeFault(id),
    clearFaults: () => control.clearFaults(),
    connectionChecks: () => control.connectionChecks(),
    addConnectionCheck: (rule) => control.addConnectionCheck(rule),
    removeConnectionCheck: (id) => control.removeConnectionCheck(id),
    clearConnectionChecks: () => control.clearConnectionChecks(),
    completeConnect: (token, input) => control.completeConnect(token, input),
    emitEvent: (input) => control.emitEvent(input),
    deliveries: (filter) => control.deliveries(filter),
    notifications: (filter) => control.notifications(filter),
    settleDeliveries: async (options) => await control.settleDeliveries(options),
    deliveryFaults: () => control.deliveryFaults(),
    addDeliveryFault: (rule) => control.addDeliveryFault(rule),
    removeDeliveryFault: (id) => control.removeDeliveryFault(id),
    clearDeliveryFaults: () => control.clearDeliveryFaults(),
    executionRules: () => control.executionRules(),
    addExecutionRule: (rule) => control.addExecutionRule(rule),
    removeExecutionRule: (id) => control.removeExecutionRule(id),
    clearExecutionRules: () => control.clearExecutionRules(),
    advanceExecution: (id, input) => control.advanceExecution(id, input),
    settleExecutions: async () => {
      await control.queriesAnswered()
      return control.settleExecutions()
    },
    catalog: (connectionId) => control.catalog(connectionId),
    replaceCatalog: (connectionId, catalog) => control.replaceCatalog(connectionId, catalog),
    partners: () => control.partners(),
    organization: (id) => control.organization(id),
    executions: (filter) => control.executions(filter),
    execution: (id) => control.execution(id),
    clock: () => control.clock(),
    advanceClock: (seconds) => control.advanceClock(seconds)
  }
  for (const name of Object.keys(controls) as ControlName[]) {
    const run = Reflect.get(controls, name) as (...args: unknown[]) => unknown
    ;(controls as unknown as Record<string, unknown>)[name] = (...args: unknown[]): unknown => {
      try {
        const answer = run(...args)
        return answer instanceof Promise ? answer.catch((err: unknown) => refused(name, err)) : answer
      } catch (err) {
        return refused(name, err)
      }
    }
  }
  return controls
}

/** An ApiError of the control plane as the admin client would have thrown it; anything else as it is. */
function refused (name: ControlName, err: unknown): never {
  if (!(err instanceof ApiError)) throw err
  const body = { status: err.status, key: err.key, message: err.message, metadata: err.metadata }
  throw new AdminError(`sim.${name}()`, `(${CONTROL_ROUTES[name]})`, err.status, body, { cause: err })
}
