/* The search worker: loads lunr.js, the shared pipeline and the compact
 * index, answers queries, and picks the best paragraph of each hit by
 * fetching that episode's plain-text transcript on demand. Running here
 * keeps typing smooth however large the index is.
 *
 * Messages in:  {type: 'init', base, indexUrl}
 *               {type: 'query', id, q, offset, limit}
 * Messages out: {type: 'ready', count} | {type: 'failed', message}
 *               {type: 'results', id, q, offset, total, results, complete, error}
 *               {type: 'snippets', id, offset, results}  (the same results, with snippets)
 */
/* global importScripts, lunr, archiveSearch */
'use strict'

var PHRASE_CANDIDATES = 100
var SNIPPET_BEFORE = 12
var SNIPPET_WORDS = 40

var state = { index: null, docs: null, base: '/', pending: null, texts: Object.create(null), terms: Object.create(null) }

self.onmessage = function (event) {
  var msg = event.data
  if (msg.type === 'init') init(msg)
  else if (msg.type === 'query') {
    if (state.index) answer(msg)
    else state.pending = msg
  }
}

function init (msg) {
  state.base = msg.base
  // Start the download first: the scripts load while the index is on its way.
  var download = fetch(msg.indexUrl).then(function (response) {
    if (!response.ok) throw new Error('HTTP ' + response.status)
    return response.json()
  })
  importScripts(msg.base + 'assets/lunr.min.js', msg.base + 'assets/search-pipeline.js',
    msg.base + 'assets/search-index.js')
  download.then(function (compact) {
    state.index = archiveSearch.loadIndex(compact)
    state.docs = archiveSearch.docsByRef(compact)
    self.postMessage({ type: 'ready', count: compact.refs.length })
    if (state.pending) answer(state.pending)
    state.pending = null
  }).catch(function (error) {
    self.postMessage({ type: 'failed', message: 'The search index could not be loaded (' + error.message + ').' })
  })
}

// Index terms of one word, memoised: a transcript repeats its words a lot.
function termsOf (word) {
  var cached = state.terms[word]
  if (!cached) cached = state.terms[word] = archiveSearch.terms(word)
  return cached
}

// "quoted phrases" (optionally field:"...") become required terms, checked
// for adjacency later; the rest goes to lunr's own query parser.
function parse (q) {
  var phrases = []
  var rest = q.replace(/(?:(\w+):)?"([^"]*)"?/g, function (_, field, text) {
    var terms = archiveSearch.terms(text)
    if (terms.length) phrases.push({ field: field, terms: terms })
    return ' '
  })
  // Folding first also covers wildcard terms, which lunr keeps out of the pipeline.
  return { rest: archiveSearch.fold(rest).trim(), phrases: phrases }
}

function search (parsed) {
  return state.index.query(function (query) {
    if (parsed.rest) new lunr.QueryParser(parsed.rest, query).parse()
    parsed.phrases.forEach(function (phrase) {
      phrase.terms.forEach(function (term) {
        // lunr treats a present-but-undefined 'fields' as no fields at all.
        var clause = { presence: lunr.Query.presence.REQUIRED, usePipeline: false }
        if (phrase.field) clause.fields = [phrase.field]
        query.term(term, clause)
      })
    })
  })
}

function transcript (doc) {
  // An episode's download sits beside its page: episodes/slug.html, episodes/slug.txt (urls.py).
  var url = state.base + doc.u.replace(/\.html$/, '.txt')
  if (!state.texts[url]) {
    state.texts[url] = fetch(url).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status)
      return r.text()
    }).then(function (text) {
      return text.replace(/\r\n/g, '\n').split('\n\n').slice(1).map(function (p) { return p.trim() })
    })
  }
  return state.texts[url]
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

// A hit word is marked without its punctuation: "Belarus," -> [Belarus] ","
var EDGES = /^([^\p{L}\p{N}]*)([\s\S]*?)([^\p{L}\p{N}]*)$/u

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
    var parts = EDGES.exec(best.words[i])
    text(parts[1])
    runs.push([parts[2], true])
    text(parts[3])
    if (words.indexOf(parts[2]) < 0) words.push(parts[2])
  }
  if (end < best.words.length) text(' …')
  return { runs: runs.filter(function (r) { return r[0] }), words: words }
}

function describe (hit, parsed) {
  var doc = state.docs[hit.ref]
  var matched = Object.create(null)
  Object.keys(hit.matchData.metadata).forEach(function (t) { matched[t] = true })
  return transcript(doc).then(function (paragraphs) {
    var best = bestParagraph(paragraphs, matched, parsed.phrases)
    var result = { ref: hit.ref, url: doc.u, title: doc.t, show: doc.s, date: doc.d, paragraph: 0, snippet: null, words: [], phraseHits: best ? best.phraseHits : 0 }
    if (best && best.hits.indexOf(true) >= 0) {
      var s = snippet(best)
      result.paragraph = best.n
      result.snippet = s.runs
      result.words = s.words
    } else if (best) {
      result.snippet = [[paragraphs[0].split(/\s+/).slice(0, SNIPPET_WORDS).join(' ') + ' …', false]]
    }
    return result
  }, function () {
    return { ref: hit.ref, url: doc.u, title: doc.t, show: doc.s, date: doc.d, paragraph: 0, snippet: null, words: [], phraseHits: 0 }
  })
}

function basic (hit) {
  var doc = state.docs[hit.ref]
  return { ref: hit.ref, url: doc.u, title: doc.t, show: doc.s, date: doc.d, paragraph: 0, snippet: null, words: [] }
}

// Titles go out at once; snippets follow when their transcripts arrive, so
// a query answers in milliseconds even when the network is slow.
function answer (msg) {
  var parsed = parse(msg.q || '')
  var hits
  try {
    hits = parsed.rest || parsed.phrases.length ? search(parsed) : []
  } catch (error) {
    self.postMessage({ type: 'results', id: msg.id, q: msg.q, total: 0, results: [], complete: true, error: error.message || String(error) })
    return
  }
  var offset = msg.offset || 0
  var limit = msg.limit || 10
  if (!parsed.phrases.length) {
    var page = hits.slice(offset, offset + limit)
    self.postMessage({ type: 'results', id: msg.id, q: msg.q, offset: offset, total: hits.length, results: page.map(basic), complete: !page.length })
    if (!page.length) return
    Promise.all(page.map(function (hit) { return describe(hit, parsed) })).then(function (results) {
      self.postMessage({ type: 'snippets', id: msg.id, offset: offset, results: results })
    })
    return
  }
  // A phrase must appear as written: check candidates' text, best first.
  var candidates = hits.slice(0, PHRASE_CANDIDATES)
  Promise.all(candidates.map(function (hit) { return describe(hit, parsed) })).then(function (all) {
    var kept = all.filter(function (r) { return r.phraseHits === parsed.phrases.length })
    self.postMessage({ type: 'results', id: msg.id, q: msg.q, offset: offset, total: kept.length, results: kept.slice(offset, offset + limit), complete: true })
  })
}
