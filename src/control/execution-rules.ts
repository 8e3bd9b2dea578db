import { randomUUID } from 'node:crypto'
import { RuleList } from './rule-list.js'
import type { ExecutionRuleBody } from '../http/schemas/admin.js'
import type { Infer } from '../http/schemas/infer.js'

/** An execution rule as given (POST /__admin/executions, sim.addExecutionRule): the type of its schema. */
export type ExecutionRuleInput = Infer<typeof ExecutionRuleBody>

export type ExecutionRule = ExecutionRuleInput & {
  id: string
  /** How many runs this rule has decided so far. */
  fired: number
  created_at: string
}

/**
 * How sync runs end, decided by a test: complete, fail with a message, complete with errors, or
 * hang until advanced. A rule matches runs by sync id and kind (bulk or model) as they start, in
 * the order rules were added, `times` times or while it stands. Runs no rule matches complete.
 */
export class ExecutionRules extends RuleList<ExecutionRule> {
  add (input: ExecutionRuleInput): ExecutionRule {
    const rule: ExecutionRule = { id: randomUUID(), ...input, fired: 0, created_at: new Date().toISOString() }
    if (rule.sync_id !== undefined) rule.sync_id = rule.sync_id.toLowerCase()
    this.push(rule)
    return { ...rule }
  }

  list (): ExecutionRule[] {
    return this.rules.map((rule) => ({ ...rule }))
  }

  /** The first rule matching a run that starts now; counted, and dropped once it has fired `times` times. */
  fire (kind: 'bulk' | 'model', syncId: string): ExecutionRule | undefined {
    for (const rule of this.rules) {
      if (rule.sync_id !== undefined && rule.sync_id !== syncId) continue
      if (rule.kind !== undefined && rule.kind !== kind) continue
      this.spend(rule)
      return { ...rule }
    }
    return undefined
  }
}
