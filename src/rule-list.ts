/**
 * Rules a test adds and removes by id, matched in the order they were added: fault rules
 * (src/faults.ts) and connection-check rules (src/connection-checks.ts).
 */
export class RuleList<R extends { id: string }> {
  protected rules: R[] = []

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
  protected spend (rule: R & { fired: number, times?: number }): void {
    rule.fired++
    if (rule.times !== undefined && rule.fired >= rule.times) this.remove(rule.id)
  }

  clear (): number {
    const cleared = this.rules.length
    this.rules = []
    return cleared
  }
}
