// Runs the site's search JS under node for tests/test_search_node.py.
//   node tests/search_node.js search INDEX.json  < queries.json  -> {query: [[ref, score], ...]}
//   node tests/search_node.js search-expanded INDEX.json < queries.json   (via lunr.Index.load)
//   node tests/search_node.js expand INDEX.json                  -> the lunr serialized index
//   node tests/search_node.js words               < words.json    -> [term or null, ...]
//   node tests/search_node.js terms               < texts.json    -> [[term, ...], ...]
// INDEX.json is the compact index from generator/search.py.
'use strict'
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
globalThis.lunr = require(path.join(root, 'node_modules', 'lunr', 'lunr.js'))
require(path.join(root, 'generator', 'assets', 'search-pipeline.js'))
require(path.join(root, 'generator', 'assets', 'search-index.js'))
const api = globalThis.archiveSearch

const [command, file] = process.argv.slice(2)
const input = () => JSON.parse(fs.readFileSync(0, 'utf8'))
const compact = () => JSON.parse(fs.readFileSync(file, 'utf8'))
let out
if (command === 'search' || command === 'search-expanded') {
  const index = command === 'search' ? api.loadIndex(compact()) : lunr.Index.load(api.expandIndex(compact()))
  out = {}
  for (const query of input()) out[query] = index.search(query).map(r => [r.ref, r.score])
} else if (command === 'expand') {
  out = api.expandIndex(compact())
} else if (command === 'words') {
  const pipeline = new lunr.Pipeline()
  pipeline.add(...api.indexPipeline)
  out = input().map(word => {
    const terms = pipeline.run([new lunr.Token(word)])
    return terms.length ? terms[0].toString() : null
  })
} else if (command === 'terms') {
  out = input().map(api.terms)
} else {
  throw new Error('unknown command ' + command)
}
process.stdout.write(JSON.stringify(out))
