import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp } from './app.js'
import { defaultConfig, type Config } from './config.js'
import type { FaultRule, FaultRuleInput } from './faults.js'
import type { JournalEntry, JournalFilter } from './journal.js'
import type { Fixtures } from './schemas/fixtures.js'
import type { Tenant } from './store/tenants.js'
import type { SnapshotInfo } from './store/world.js'

export type SimulatorOptions = Omit<Partial<Config>, 'fixtures'> & {
  /** A fixture file path, or the document itself. Defaults to the bundled fixtures. */
  fixtures?: string | Fixtures
  /** Fastify logger options; off unless given. */
  logger?: FastifyServerOptions['logger']
}

export interface Simulator {
  /** The Fastify instance: use app.inject() for requests without a socket. */
  readonly app: FastifyInstance
  /** The base URL once listening, else null. */
  readonly url: string | null
  readonly config: Config
  /** Starts listening (defaults: the configured port and host; port 0 picks a free one) and returns the base URL. */
  listen (options?: { port?: number, host?: string }): Promise<string>
  /** Stops listening, waits for in-flight requests and closes the database. Safe to call twice. */
  close (): Promise<void>
  reset (): Record<string, number>
  snapshot (name: string): SnapshotInfo
  restore (name: string): Record<string, number>
  createTenant (input?: { name?: string }): Tenant
  deleteTenant (partnerId: string): void
  requests (filter?: JournalFilter): JournalEntry[]
  addFault (rule: FaultRuleInput): FaultRule
  clearFaults (): number
  exportFixtures (): Fixtures
  loadFixtures (document: Fixtures): Record<string, number>
}

/**
 * The simulator as a library: a test suite starts it in-process, listens on port 0 and points its
 * client at `url`. Options are the CLI's settings; nothing is read from the environment.
 */
export async function createSimulator (options: SimulatorOptions = {}): Promise<Simulator> {
  const { fixtures, logger, ...settings } = options
  const config: Config = { ...defaultConfig(), ...settings, ...(typeof fixtures === 'string' ? { fixtures } : {}) }
  const app = await buildApp({ config, fixtures: typeof fixtures === 'object' ? fixtures : undefined, logger })
  const { control } = app
  let url: string | null = null
  let closed = false

  return {
    app,
    config,
    get url () { return url },
    async listen (listenOptions = {}) {
      url = await app.listen({ port: listenOptions.port ?? config.port, host: listenOptions.host ?? config.host })
      return url
    },
    async close () {
      if (closed) return
      closed = true
      await app.close()
      url = null
    },
    reset: () => control.reset(),
    snapshot: (name) => control.snapshot(name),
    restore: (name) => control.restore(name),
    createTenant: (input) => control.createTenant(input),
    deleteTenant: (partnerId) => control.deleteTenant(partnerId),
    requests: (filter) => control.requests(filter),
    addFault: (rule) => control.addFault(rule),
    clearFaults: () => control.clearFaults(),
    exportFixtures: () => control.exportFixtures(),
    loadFixtures: (document) => control.replaceFixtures(document, '<loadFixtures>')
  }
}
