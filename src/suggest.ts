/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
function distance (a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min((d[i - 1] as number[])[j] as number + 1, (d[i] as number[])[j - 1] as number + 1, (d[i - 1] as number[])[j - 1] as number + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2] as number[])[j - 2] as number + 1)
      ;(d[i] as number[])[j] = best
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

/** The known name closest to an unknown one, when it is close enough to be a slip ("emial" -> "email"). */
export function closestName (unknown: string, known: Iterable<string>): string | undefined {
  const target = unknown.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(target.length / 3)) + 1
  for (const name of known) {
    const d = distance(target, name.toLowerCase())
    if (d < bestDistance) { best = name; bestDistance = d }
  }
  return best
}

/** " (did you mean email?)", or nothing. */
export function didYouMean (unknown: string, known: Iterable<string>): string {
  const name = closestName(unknown, known)
  return name === undefined ? '' : ` (did you mean ${name}?)`
}
