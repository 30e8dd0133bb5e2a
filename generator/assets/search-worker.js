/* The search worker: fetches the index manifest, then for each query only
 * the shards holding its terms (search-index.js builds a lunr.Index of
 * those), the metadata of the results on screen, and for their snippets
 * the episode pages themselves (which the reader then has cached).
 *
 * Messages in:  {type: 'init', base, manifestUrl}
 *               {type: 'query', id, q, typing, offset, limit, show, year, sort, facets}
 *               {type: 'snippet', id, index}           (result number index came into view)
 * Messages out: {type: 'ready', count} | {type: 'failed', message}
 *               {type: 'results', id, q, offset, total, results, error, notices, years, shows, phrase}
 *               {type: 'snippets', id, offset, results}  (result number offset, with its snippet)
 */
/* global importScripts, lunr, archiveSearch */
'use strict'

var SNIPPET_BEFORE = 12
var SNIPPET_WORDS = 40

// ``state.loading`` is a promise of the index (manifest and what was loaded
// with it) new queries use. Each query holds on to the one it started with,
// to the end: a deploy that switches the index mid-query can never mix an old
// manifest's numbers with a new manifest's files.
var state = { base: '/', loading: null, pages: Object.create(null), terms: Object.create(null),
  shown: [], shownId: 0 }

self.onmessage = function (event) {
  var msg = event.data
  if (msg.type === 'init') init(msg)
  else if (msg.type === 'query') whenReady(function (index) { answer(index, msg, false) })
  else if (msg.type === 'snippet') snippetFor(msg)
}

function Stale (url) { this.message = 'gone: ' + url }

function fetchJSON (url, options) {
  return fetch(url, options).then(function (response) {
    if (response.status === 404) throw new Stale(url)
    if (!response.ok) throw new Error('HTTP ' + response.status)
    return response.json()
  })
}

// One manifest and everything fetched by its file names.
function Index (url, manifest) {
  var folder = url.slice(0, url.lastIndexOf('/') + 1)
  this.manifest = manifest
  this.cache = {}
  this.meta = Object.create(null)
  this.showIds = null
  this.file = function (name) { return fetchJSON(folder + name) }
}

function useManifest (url) {
  state.loading = fetchJSON(url).then(function (manifest) {
    archiveSearch.checkManifest(manifest)
    return new Index(url, manifest)
  })
  return state.loading
}

function init (msg) {
  state.base = msg.base
  useManifest(msg.manifestUrl)   // first: the scripts load while it is on its way
  importScripts(msg.base + 'assets/lunr.min.js', msg.base + 'assets/search-pipeline.js',
    msg.base + 'assets/search-index.js')
  state.loading.then(function (index) {
    self.postMessage({ type: 'ready', count: index.manifest.n })
  }, function (error) {
    if (error instanceof Stale) return switchManifest(null).then(function (index) { self.postMessage({ type: 'ready', count: index.manifest.n }) })
    throw error
  }).catch(function (error) {
    self.postMessage({ type: 'failed', message: 'The search index could not be loaded (' + error.message + ').' })
  })
}

function whenReady (fn) {
  if (!state.loading) return
  state.loading.then(fn, function () {})
}

// A deploy replaced the index under an open tab: find the new manifest, once
// however many queries found the old one gone.
function switchManifest (stale) {
  if (stale && stale.next) return stale.next
  var next = fetchJSON(state.base + 'search/latest.json', { cache: 'no-cache' }).then(function (latest) {
    return useManifest(state.base + 'search/' + latest.manifest)
  })
  if (stale) {
    stale.next = next
    next.catch(function () { stale.next = null })
  }
  return next
}

function hitsOf (index, q, typing) {
  var m = index.manifest
  return archiveSearch.search(m, index.cache, index.file, q, typing)
}

function showIds (index) {
  if (!index.showIds) {
    index.showIds = index.file(index.manifest.showsFile)
    index.showIds.catch(function () { index.showIds = null })
  }
  return index.showIds
}

// d: a document's number; its metadata goes by its place in the archive.
function metaOf (index, d) {
  var m = index.manifest, at = index.cache.docs.position[d], chunk = Math.floor(at / m.metaChunk)
  if (!index.meta[chunk]) {
    index.meta[chunk] = index.file(archiveSearch.metaName(m, chunk))
    index.meta[chunk].catch(function () { delete index.meta[chunk] })
  }
  return index.meta[chunk].then(function (rows) {
    var row = rows[at - chunk * m.metaChunk]
    return { url: row[0], title: row[1], show: row[2], date: row[3] }
  })
}

// The year entry holding document number d, or -1: the entries are runs of numbers in ascending order.
function yearOf (years, d) {
  var lo = 0, hi = years.length - 1
  while (lo <= hi) {
    var mid = (lo + hi) >> 1, y = years[mid]
    if (d < y[1]) hi = mid - 1
    else if (d > y[2]) lo = mid + 1
    else return mid
  }
  return -1
}

// Filters, their counts, and the order, in one pass over the hits: documents
// are numbered by date, so sorting by date is sorting by number, and a year
// is a run of numbers. A filter's counts apply the other filter, not itself.
function arrange (index, hits, msg, shows) {
  var m = index.manifest, years = m.years, showNumber = msg.show ? m.shows.indexOf(msg.show) : -1
  var yearCounts = years.map(function (y) { return [y[0], 0] })
  var showCounts = shows ? m.shows.map(function (name) { return [name, 0] }) : null
  var kept = []
  for (var i = 0; i < hits.length; i++) {
    var d = parseInt(hits[i].ref, 36), y = yearOf(years, d), s = shows ? shows[index.cache.docs.position[d]] : -1
    var inYear = !msg.year || (y >= 0 && String(years[y][0]) === String(msg.year))
    var inShow = !msg.show || (shows && s === showNumber)
    if (inShow && y >= 0) yearCounts[y][1]++
    if (inYear && showCounts && s >= 0) showCounts[s][1]++
    if (inYear && inShow) kept.push({ hit: hits[i], d: d })
  }
  // Newest first; for the best match, lunr's order, equal scores newest first
  // (lunr keeps them in index order, which is oldest first).
  if (msg.sort === 'date') kept.sort(function (a, b) { return b.d - a.d })
  else kept.sort(function (a, b) { return b.hit.score - a.hit.score || b.d - a.d })
  return { items: kept, years: yearCounts, shows: showCounts }
}

function answer (index, msg, retried) {
  var q = msg.q || ''
  var found
  hitsOf(index, q, !!msg.typing).then(function (result) {
    found = result
    var wantShows = msg.show || msg.facets
    return wantShows ? showIds(index) : null
  }).then(function (shows) {
    var arranged = arrange(index, found.hits, msg, shows)
    var offset = msg.offset || 0, limit = msg.limit || 10
    var page = arranged.items.slice(offset, offset + limit)
    var phrase = found.parsed.phrases.length > 0
    return Promise.all(page.map(function (it) { return metaOf(index, it.d) })).then(function (metas) {
      var results = page.map(function (it, i) {
        var r = metas[i]
        r.ref = it.hit.ref
        r.paragraph = 0
        r.snippet = null
        r.words = []
        return r
      })
      // Snippets are made for the results that come into view: each needs its episode's page.
      if (!offset) { state.shownId = msg.id; state.shown = [] }
      page.forEach(function (it, i) { state.shown[offset + i] = { hit: it.hit, basic: results[i], parsed: found.parsed } })
      self.postMessage({ type: 'results', id: msg.id, q: q, offset: offset, total: arranged.items.length,
        results: results, notices: found.notices, years: arranged.years, shows: arranged.shows, phrase: phrase })
    })
  }).catch(function (error) {
    if (error instanceof Stale && !retried) {
      return switchManifest(index).then(function (next) { answer(next, msg, true) })
    }
    self.postMessage({ type: 'results', id: msg.id, q: q, total: 0, results: [], complete: true,
      error: error.message || String(error) })
  })
}

// A result on screen gets its snippet; for a phrase, whether it is there as written.
function snippetFor (msg) {
  var item = msg.id === state.shownId && state.shown[msg.index]
  if (!item) return
  describe(item.hit, item.basic, item.parsed).then(function (result) {
    result.phraseMissing = item.parsed.phrases.length > 0 && result.phraseHits < item.parsed.phrases.length
    self.postMessage({ type: 'snippets', id: msg.id, offset: msg.index, results: [result] })
  })
}

// Index terms of one word, memoised: a transcript repeats its words a lot.
function termsOf (word) {
  var cached = state.terms[word]
  if (!cached) cached = state.terms[word] = archiveSearch.terms(word)
  return cached
}

var ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }
function decode (html) {
  return html.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, function (all, name) {
    if (name[0] === '#') {
      var code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all
    }
    return ENTITIES[name.toLowerCase()] || all
  })
}

// The transcript's paragraphs from the episode page's markup (templates/episode.html:
// <p id="p-N">text <a class="para-link" ...>¶N</a></p>). Workers have no
// DOMParser; this reads the markup with indexOf, once through.
function paragraphsOf (html) {
  var out = [], at = 0, OPEN = '<p id="p-', LINK = ' <a class="para-link"'
  for (;;) {
    var start = html.indexOf(OPEN, at)
    if (start < 0) break
    var body = html.indexOf('>', start) + 1
    var end = html.indexOf('</p>', body)
    if (body <= 0 || end < 0) break
    var inner = html.slice(body, end)
    var link = inner.lastIndexOf(LINK)
    out.push(decode(link >= 0 ? inner.slice(0, link) : inner).trim())
    at = end + 4
  }
  return out
}

function transcript (url) {
  url = state.base + url
  if (!state.pages[url]) {
    state.pages[url] = fetch(url).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status)
      return r.text()
    }).then(paragraphsOf)
    state.pages[url].catch(function () { delete state.pages[url] })
  }
  return state.pages[url]
}

function containsPhrase (terms, phrase) {
  outer: for (var i = 0; i + phrase.length <= terms.length; i++) {
    for (var j = 0; j < phrase.length; j++) if (terms[i + j] !== phrase[j]) continue outer
    return true
  }
  return false
}

// The paragraph with the most distinct matched terms (a phrase counts most),
// and a snippet around its first hit as [text, isHit] runs.
function bestParagraph (paragraphs, matched, phrases) {
  var best = null
  paragraphs.forEach(function (text, i) {
    var words = text.split(/\s+/)
    var hits = []
    var seq = []
    var distinct = Object.create(null)
    var count = 0
    words.forEach(function (word) {
      var terms = termsOf(word)
      var hit = false
      terms.forEach(function (t) { seq.push(t); if (matched[t]) { hit = true; distinct[t] = true } })
      hits.push(hit)
      if (hit) count++
    })
    var score = Object.keys(distinct).length * 100 + count
    var phraseHits = phrases.filter(function (p) { return containsPhrase(seq, p.terms) }).length
    score += phraseHits * 10000
    if (!best || score > best.score) best = { n: i + 1, score: score, words: words, hits: hits, phraseHits: phraseHits }
  })
  return best
}

// A hit word is marked without its punctuation: "Belarus," -> [Belarus] ",".
// A scan from each end, as in highlight.js, not a regex: /^(\W*)(.*?)(\W*)$/
// backtracks into quadratic time on a long run of punctuation between letters.
var WORD_CHAR = /[\p{L}\p{N}]/u
function edges (word) {
  var chars = Array.from(word)   // code points: a letter outside the BMP is one
  var start = 0
  var end = chars.length
  while (start < end && !WORD_CHAR.test(chars[start])) start++
  while (end > start && !WORD_CHAR.test(chars[end - 1])) end--
  return [chars.slice(0, start).join(''), chars.slice(start, end).join(''), chars.slice(end).join('')]
}

function snippet (best) {
  var first = best.hits.indexOf(true)
  var start = Math.max(0, first - SNIPPET_BEFORE)
  var end = Math.min(best.words.length, start + SNIPPET_WORDS)
  var runs = [[start > 0 ? '… ' : '', false]]
  var words = []
  function text (t) {
    var last = runs[runs.length - 1]
    if (last[1]) runs.push([t, false])
    else last[0] += t
  }
  for (var i = start; i < end; i++) {
    if (i > start) text(' ')
    if (!best.hits[i]) { text(best.words[i]); continue }
    var parts = edges(best.words[i])
    text(parts[0])
    runs.push([parts[1], true])
    text(parts[2])
    if (words.indexOf(parts[1]) < 0) words.push(parts[1])
  }
  if (end < best.words.length) text(' …')
  return { runs: runs.filter(function (r) { return r[0] }), words: words }
}

function describe (hit, basic, parsed) {
  var matched = Object.create(null)
  hit.terms.forEach(function (t) { matched[t] = true })
  var result = Object.assign({}, basic, { phraseHits: 0 })
  return transcript(basic.url).then(function (paragraphs) {
    var best = bestParagraph(paragraphs, matched, parsed.phrases)
    result.phraseHits = best ? best.phraseHits : 0
    if (best && best.hits.indexOf(true) >= 0) {
      var s = snippet(best)
      result.paragraph = best.n
      result.snippet = s.runs
      result.words = s.words
    } else if (best) {
      result.snippet = [[paragraphs[0].split(/\s+/).slice(0, SNIPPET_WORDS).join(' ') + ' …', false]]
    }
    return result
  }, function () { return result })
}
