import { ApiError, Errors, validationError } from './errors.js'
import type { FaultRule, FaultRuleInput, Faults } from './faults.js'
import type { Journal, JournalEntry, JournalFilter } from './journal.js'
import { unsafeJsonProblem } from './json.js'
import { LIMITS } from './limits.js'
import { FaultBody } from './schemas/admin.js'
import { redactSecrets } from './secrets.js'
import type { Fixtures } from './schemas/fixtures.js'
import { FixtureError, validateFixtures } from './store/fixtures.js'
import type { Store } from './store/index.js'
import { createTenant, deleteTenant, type Tenant } from './store/tenants.js'
import { BASELINE, type SnapshotInfo } from './store/world.js'
import { firstIssue, requestValidator } from './validation.js'

/** The route's own validator (POST /__admin/faults), so that a rule added in-process meets the same checks. */
const validateFaultRule = requestValidator<FaultRuleInput>(FaultBody)

function invalidFixtures (err: FixtureError): ApiError {
  return Errors.InvalidFixtures({ message: err.message, metadata: { path: err.path, problem: err.problem } })
}

/**
 * The test control plane's operations, shared by the /__admin routes and the in-process API.
 * Every write is one transaction, so it never interleaves half-way with an API request.
 */
export class ControlPlane {
  constructor (private readonly store: Store, private readonly journal: Journal, private readonly faults: Faults) {}

  /** Back to the baseline world; minted keys, idempotency records, fault rules and the journal are cleared too. */
  reset (): Record<string, number> {
    this.store.reset()
    this.store.idempotency.clear()
    this.journal.clear()
    this.faults.clear()
    return this.store.world.counts()
  }

  /** The world as a fixture document; with redact, every secret field (src/secrets.ts) is replaced, for sharing rather than reloading. */
  exportFixtures (options: { redact?: boolean } = {}): Fixtures {
    const document = this.store.world.export()
    return options.redact === true ? redactSecrets(document) : document
  }

  /** Replaces the world (and the reset baseline) with a fixture document; a bad one is a 422 and changes nothing. */
  replaceFixtures (document: unknown, source = '<request body>'): Record<string, number> {
    try {
      this.store.replaceWorld(validateFixtures(document, source), source)
    } catch (err) {
      throw err instanceof FixtureError ? invalidFixtures(err) : err
    }
    return this.store.world.counts()
  }

  snapshot (name: string): SnapshotInfo {
    return this.store.transaction(() => this.store.world.saveSnapshot(name))
  }

  restore (name: string): Record<string, number> {
    if (name === BASELINE || !this.store.world.hasSnapshot(name)) throw Errors.SnapshotNotFound()
    this.store.transaction(() => this.store.world.restoreSnapshot(name))
    return this.store.world.counts()
  }

  deleteSnapshot (name: string): void {
    if (name === BASELINE || !this.store.world.deleteSnapshot(name)) throw Errors.SnapshotNotFound()
  }

  snapshots (): SnapshotInfo[] {
    return this.store.world.listSnapshots()
  }

  createTenant (input: { name?: string } = {}): Tenant {
    return this.store.transaction(() => createTenant(this.store, input))
  }

  deleteTenant (partnerId: string): void {
    this.store.transaction(() => deleteTenant(this.store, partnerId))
  }

  requests (filter: JournalFilter = {}): JournalEntry[] {
    return this.journal.query(filter)
  }

  clearRequests (): number {
    return this.journal.clear()
  }

  addFault (given: FaultRuleInput): FaultRule {
    // A copy: the validator drops unknown fields, and the caller's object stays as it was.
    const input = typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given } : given
    if (!validateFaultRule(input)) {
      const issue = firstIssue(validateFaultRule.errors ?? [])
      throw validationError(issue === undefined || issue.path === '' ? 'body' : issue.path, issue?.problem ?? 'is invalid')
    }
    // Over HTTP the body parser already refused such a body; in-process, anything can be passed.
    const problem = input.body === undefined ? null : unsafeJsonProblem(input.body, LIMITS.jsonDepth)
    if (problem !== null) throw validationError('body', problem)
    return this.faults.add(input)
  }

  faultRules (): FaultRule[] {
    return this.faults.list()
  }

  removeFault (id: string): void {
    if (!this.faults.remove(id)) throw Errors.FaultNotFound()
  }

  clearFaults (): number {
    return this.faults.clear()
  }
}
