import { randomUUID } from 'node:crypto'
import type { ConnectionCheckBody } from '../http/schemas/admin.js'
import type { Infer } from '../http/schemas/infer.js'
import { RuleList } from './rule-list.js'

/** A rule as given (POST /__admin/connection-checks, sim.addConnectionCheck): the type of its schema. */
export type ConnectionCheckInput = Infer<typeof ConnectionCheckBody>

export type ConnectionCheckRule = ConnectionCheckInput & {
  id: string
  /** How many checks this rule has failed so far. */
  failed: number
  created_at: string
}

/** "Staging *" -> /^Staging .*$/: `*` is any run of characters, everything else is literal. */
function globToRegExp (pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${escaped}$`, 's')
}

/**
 * The simulated upstream check that validating, testing and Connect run against a configuration.
 * It passes unless a rule matches: then it fails with the rule's message, `times` times (or for
 * as long as the rule stands). Rules match in the order they were added. No HTTP in here.
 */
export class ConnectionChecks extends RuleList<ConnectionCheckRule & { matcher: RegExp | null }> {
  add (input: ConnectionCheckInput): ConnectionCheckRule {
    const rule = { id: randomUUID(), ...input, failed: 0, created_at: new Date().toISOString() }
    this.push({ ...rule, matcher: input.name === undefined ? null : globToRegExp(input.name) })
    return { ...rule }
  }

  list (): ConnectionCheckRule[] {
    return this.rules.map(({ matcher: _matcher, ...rule }) => ({ ...rule }))
  }

  /** Runs the check for a connection of this type and name: null when it passes, else the failure message. */
  run (type: string, name: string): string | null {
    for (const rule of this.rules) {
      if (rule.type !== undefined && rule.type !== type) continue
      if (rule.matcher !== null && !rule.matcher.test(name)) continue
      rule.failed++
      if (rule.times !== undefined && rule.failed >= rule.times) this.remove(rule.id)
      return rule.message
    }
    return null
  }
}
