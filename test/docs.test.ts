// The README and docs/ as a reader follows them: every relative link reaches a file of the package, every
// #anchor a heading of its page (GitHub's slugs), every page of more than two sections opens with a contents list
// of them all, and the README names each control exactly once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/core/paths.js'
import { CONTROL_ROUTES } from '../src/control/controls.js'

const PAGES = ['README.md', ...readdirSync(join(PACKAGE_ROOT, 'docs')).map((name) => `docs/${name}`)].filter((page) =>
  page.endsWith('.md'))

/** A page's text without its fenced code blocks (a "# comment" in a shell block is no heading). */
function prose (page: string): string {
  return readFileSync(join(PACKAGE_ROOT, page), 'utf8').replace(/^```[\s\S]*?^```$/gm, '')
}

/** GitHub's anchor of a heading: lower case, punctuation dropped (but - and _), spaces as hyphens. */
function slug (heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

function headings (page: string, level?: number): string[] {
  const marks = level === undefined ? '#{1,6}' : `#{${level}}`
  return [...prose(page).matchAll(new RegExp(`^${marks} (.+)$`, 'gm'))].map((m) => m[1] as string)
}

t.test('every relative link of the README and docs/ reaches a file, and every anchor a heading', async (t) => {
  let links = 0
  for (const page of PAGES) {
    for (const [, target] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue
      links++
      const [file, anchor] = (target as string).split('#') as [string, string | undefined]
      const path = file === '' ? join(PACKAGE_ROOT, page) : join(PACKAGE_ROOT, dirname(page), file)
      const where = `${page} -> ${target as string}`
      if (!existsSync(path)) {
        t.fail(`${where}: no such file`)
        continue
      }
      t.ok(relative(PACKAGE_ROOT, path).split('/')[0] !== '..', `${where} stays in the package`)
      if (anchor === undefined) continue
      t.ok(statSync(path).isFile() && path.endsWith('.md'), `${where}: an anchor needs a page`)
      const anchors = headings(relative(PACKAGE_ROOT, path)).map(slug)
      t.ok(anchors.includes(anchor), `${where}: a heading of that page`)
    }
  }
  t.ok(links > 60, `${links} links followed`)
})

t.test('a page of more than two sections opens with a contents list of them all', async (t) => {
  for (const page of PAGES) {
    const sections = headings(page, 2).filter((heading) => heading !== 'Contents')
    if (sections.length <= 2) continue
    const text = prose(page)
    const firstSection = text.search(/^## (?!Contents$)/m)
    const opening = text.slice(0, firstSection === -1 ? undefined : firstSection + 200)
    for (const section of sections) {
      t.ok(opening.includes(`(#${slug(section)})`), `${page}: its contents link "${section}"`)
    }
  }
})

t.test("the README names each control exactly once, in its controls' table", async (t) => {
  const text = prose('README.md')
  const table = text.slice(text.indexOf('## The controls'), text.indexOf('## With the official SDK'))
  for (const name of Object.keys(CONTROL_ROUTES)) {
    t.equal(table.split(`\`${name}(`).length - 1, 1, `${name}()`)
  }
  t.notMatch(readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8'), /\.call\(/, 'no untyped call() in the README')
})

t.test('the examples use the typed controls, never call()', async (t) => {
  const examples = join(PACKAGE_ROOT, 'examples')
  for (const file of readdirSync(examples, { recursive: true }) as string[]) {
    if (!/\.(m?js|cjs|ts)$/.test(file)) continue
    t.notMatch(readFileSync(join(examples, file), 'utf8'), /\.call\(/, `examples/${file}`)
  }
})
