// Randomised tests take their seed from one place, so every one of them prints it and can repeat a run.
import tap from 'tap'

/**
 * The seed of a randomised test: from the named environment variable, else a fresh one. Printed
 * either way, with the variable that repeats the run.
 */
export function seedFrom (variable: string): number {
  const given = process.env[variable]
  const seed = given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given)
  if (!Number.isSafeInteger(seed)) throw new Error(`${variable} must be an integer, got ${given ?? ''}`)
  tap.comment(`seed ${seed} (${variable}=${seed} repeats this run)`)
  return seed
}
