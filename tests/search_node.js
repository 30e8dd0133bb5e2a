// Runs the site's search JS under node for tests/test_search_node.py and
// tests/test_search_shards.py:
//   node tests/search_node.js sharded DIR [typing] < queries.json  -> {query: {hits: [[ref, score], ...], notices, fetched}}
//   node tests/search_node.js full DOCS.json [typing] < queries.json -> {query: [[ref, score], ...] or {error}}
//   node tests/search_node.js serve DOCS.json DIR     reads lines {"q", "typing"} (one session), answers each with a line
//                                                    {"full": [[ref, score], ...], "sharded": {hits, notices, fetched}}
//   node tests/search_node.js words               < words.json    -> [term or null, ...]
//   node tests/search_node.js terms               < texts.json    -> [[term, ...], ...]
//   node tests/search_node.js snippet             < [[paragraph, [hit term, ...]], ...]
//                                                    -> [{runs, words, ms}, ...]  (search-worker.js's snippet)
// DIR holds the files of search/ that generator/search_shards.py writes;
// DOCS.json is [{ref, title, topics, text}] (generator.search.lunr_documents),
// indexed by lunr.js's own Builder with the site's pipeline.
'use strict'
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
globalThis.lunr = require(path.join(root, 'node_modules', 'lunr', 'lunr.js'))
require(path.join(root, 'generator', 'assets', 'search-pipeline.js'))
require(path.join(root, 'generator', 'assets', 'search-index.js'))
const api = globalThis.archiveSearch

const [command, target, mode] = process.argv.slice(2)
const input = () => JSON.parse(fs.readFileSync(0, 'utf8'))
const read = name => JSON.parse(fs.readFileSync(path.join(target, name), 'utf8'))

async function sharded () {
  const queries = input()
  const manifest = read(read('latest.json').manifest)
  const out = {}
  for (const q of queries) out[q] = await shardedSearch(target, manifest, q, mode === 'typing')
  return out
}

function fullIndex (file) {
  const docs = JSON.parse(fs.readFileSync(file, 'utf8'))
  return lunr(function () {
    this.pipeline.reset()
    this.pipeline.add(...api.indexPipeline)
    this.searchPipeline.reset()
    this.searchPipeline.add(...api.searchPipeline)
    this.ref('ref')
    this.field('title', { boost: 10 })
    this.field('topics', { boost: 5 })
    this.field('text', { boost: 1 })
    docs.forEach(d => this.add(d))
  })
}

// The same query the sharded search runs (phrases as required words, edit
// distance clamped, the typed prefix), on the full index.
function fullSearch (index, q, typing) {
  try {
    const parsed = api.parse(q)
    return parsed.rest || parsed.phrases.length
      ? index.query(api.buildQuery(parsed, typing)).map(r => [r.ref, r.score]) : []
  } catch (error) {
    return { error: String(error.message || error) }
  }
}

function full () {
  const queries = input()
  const index = fullIndex(target)
  const out = {}
  for (const q of queries) out[q] = fullSearch(index, q, mode === 'typing')
  return out
}

async function shardedSearch (dir, manifest, q, typing, cache = {}) {
  const read = name => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))
  const fetched = []
  try {
    const found = await api.search(manifest, cache, name => { fetched.push(name); return Promise.resolve(read(name)) },
      q, typing)
    return { hits: found.hits.map(r => [r.ref, r.score]), notices: found.notices, fetched }
  } catch (error) {
    return { error: String(error.message || error) }
  }
}

function serve () {
  const index = fullIndex(target)
  const dir = mode
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'))).manifest)))
  const lines = require('readline').createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  // One session: the terms expanded for earlier queries are reused (as the
  // worker does), but shards, lengths and answers are not, so each query's fetches show.
  const session = {}
  lines.on('line', line => {
    const { q, typing } = JSON.parse(line)
    queue = queue.then(async () => {
      delete session.shards
      delete session.terms
      delete session.answers
      delete session.docs
      const sharded = await shardedSearch(dir, manifest, q, typing, session)
      process.stdout.write(JSON.stringify({ full: fullSearch(index, q, typing), sharded }) + '\n')
    })
  })
  process.stdout.write('{"ready": true}\n')
  return new Promise(() => {})
}

function words () {
  const pipeline = new lunr.Pipeline()
  pipeline.add(...api.indexPipeline)
  return input().map(word => {
    const terms = pipeline.run([new lunr.Token(word)])
    return terms.length ? terms[0].toString() : null
  })
}

// search-worker.js's bestParagraph and snippet, timed, in a context of their own.
function snippet () {
  const vm = require('vm')
  const context = vm.createContext({ self: {}, archiveSearch: api })
  vm.runInContext(fs.readFileSync(path.join(root, 'generator', 'assets', 'search-worker.js'), 'utf8'), context)
  return input().map(([paragraph, hits]) => {
    const matched = Object.create(null)
    hits.forEach(t => { matched[t] = true })
    const started = process.hrtime.bigint()
    const found = context.snippet(context.bestParagraph([paragraph], matched, []))
    return { ...found, ms: Number(process.hrtime.bigint() - started) / 1e6 }
  })
}

const commands = { sharded, full, serve, words, snippet, terms: () => input().map(api.terms) }
if (!commands[command]) throw new Error('unknown command ' + command)
Promise.resolve(commands[command]()).then(out => { if (out !== undefined) process.stdout.write(JSON.stringify(out)) })
