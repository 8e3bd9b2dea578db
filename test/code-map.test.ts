import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const root = PACKAGE_ROOT

/** Every folder under src/, as "src/a/b/". */
function sourceFolders (dir = 'src'): string[] {
  const folders = [`${dir}/`]
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) folders.push(...sourceFolders(`${dir}/${entry.name}`))
  }
  return folders
}

/** The folders a code-map table names in its first column. */
function mappedFolders (file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  return [...text.matchAll(/^\| `(src\/[^`]*)` \|/gm)].map((m) => m[1] as string)
}

for (const file of ['docs/architecture.md']) {
  t.test(`${file}'s code map names every folder of src/, and only folders that exist`, async (t) => {
    const mapped = mappedFolders(file)
    const actual = sourceFolders()
    t.ok(mapped.length > 5, `${mapped.length} folders mapped`)
    t.same([...mapped].sort(), [...actual].sort())
  })
}
