import { DEFAULT_BOUNDS, RULE_BYTES } from '../core/bounds.js'
import { validationError } from '../core/errors.js'

/**
 * Rules a test adds and removes by id, matched in the order they were added: fault rules
 * (src/control/faults.ts) and connection-check rules (src/control/connection-checks.ts).
 */
export class RuleList<R extends { id: string }> {
  protected rules: R[] = []
  /** How many rules the list holds at most (RULES_MAX); adding one more is a 422. */
  maxRules = DEFAULT_BOUNDS.rules

  /** Adds a rule, within the list's bounds: at most maxRules of them, each at most RULE_BYTES as JSON. */
  protected push (rule: R): void {
    if (this.rules.length >= this.maxRules) {
      throw validationError(
        'rules',
        `this list holds ${this.maxRules} rules already, its most (RULES_MAX): remove some first`
      )
    }
    const size = Buffer.byteLength(JSON.stringify(rule))
    if (size > RULE_BYTES) {
      throw validationError('body', `a rule may weigh at most ${RULE_BYTES} bytes as JSON; this one weighs ${size}`)
    }
    this.rules.push(rule)
  }

  /** True while any rule stands. */
  get active (): boolean {
    return this.rules.length > 0
  }

  remove (id: string): boolean {
    const before = this.rules.length
    this.rules = this.rules.filter((rule) => rule.id !== id)
    return this.rules.length < before
  }

  /** Counts a rule's firing, and drops it once it has fired `times` times. */
  protected spend (rule: R & { fired: number; times?: number }): void {
    rule.fired++
    if (rule.times !== undefined && rule.fired >= rule.times) this.remove(rule.id)
  }

  clear (): number {
    const cleared = this.rules.length
    this.rules = []
    return cleared
  }
}
