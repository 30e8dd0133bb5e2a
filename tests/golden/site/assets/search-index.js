/* Turns the compact index generator/search.py writes into a lunr.Index.
 * Load after lunr.js and search-pipeline.js (importScripts in the search
 * worker), then:
 *
 *   var compact = <the parsed JSON>
 *   var index = archiveSearch.loadIndex(compact)   // a lunr.Index
 *   var docs = archiveSearch.docsByRef(compact)    // ref -> result metadata
 *   index.search('erdogan')                        // [{ref, score, matchData}]
 *
 * The field vectors are computed here exactly as lunr.js's Builder computes
 * them (BM25 from term frequencies, field lengths and idf), so the result is
 * the index lunr.js would have built from the same documents.
 */
(function (root) {
  'use strict'
  var lunr = root.lunr || require('lunr')
  var api = root.archiveSearch = root.archiveSearch || {}
  var FORMAT = 1
  // Postings carry no metadata; lunr.MatchData copies what it keeps, so one
  // shared object will do for all of them.
  var NO_METADATA = Object.freeze({})

  function check (compact) {
    if (compact.format !== FORMAT) {
      throw new Error('search index format ' + compact.format + ', expected ' + FORMAT)
    }
  }

  // Field vector elements, [termIndex, score, ...] per field and document.
  function fieldVectors (compact) {
    var fields = compact.fields, boosts = compact.boosts, lengths = compact.lengths,
        postings = compact.postings, k1 = compact.k1, b = compact.b, n = compact.refs.length,
        average = [], vectors = [], f, d
    for (f = 0; f < fields.length; f++) {
      var sum = 0
      for (d = 0; d < n; d++) sum += lengths[f][d]
      average.push(sum / n)
      for (d = 0; d < n; d++) vectors.push([])
    }
    for (var index = 0; index < postings.length; index++) {
      var row = postings[index], withTerm = row.length / 2,
          idf = Math.log(1 + Math.abs((n - withTerm + 0.5) / (withTerm + 0.5))),
          key = 0
      for (var j = 0; j < row.length; j += 2) {
        key += row[j]
        var tf = row[j + 1]
        f = Math.floor(key / n)
        d = key - f * n
        // The Builder's arithmetic, operation for operation, so the floats agree.
        var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[f][d] / average[f])) + tf)
        score *= boosts[f]
        vectors[key].push(index, Math.round(score * 1000) / 1000)
      }
    }
    return vectors   // vectors[f * n + d]
  }

  function posting (compact, index) {
    var fields = compact.fields, refs = compact.refs, n = refs.length,
        row = compact.postings[index], out = { _index: index }, key = 0, f
    for (f = 0; f < fields.length; f++) out[fields[f]] = {}
    for (var j = 0; j < row.length; j += 2) {
      key += row[j]
      f = Math.floor(key / n)
      out[fields[f]][refs[key - f * n]] = NO_METADATA
    }
    return out
  }

  function fieldRef (compact, f, d) {
    return compact.fields[f] + '/' + compact.refs[d]
  }

  // Python sorts by code point, lunr's TokenSet wants UTF-16 order; they
  // differ only for characters beyond the BMP.
  function sortedTerms (compact) {
    var terms = compact.terms
    for (var i = 1; i < terms.length; i++) {
      if (terms[i - 1] > terms[i]) return terms.slice().sort()
    }
    return terms
  }

  // The lunr 2.3.9 serialized index (what lunr.Index.load takes), in full.
  api.expandIndex = function (compact) {
    check(compact)
    var n = compact.refs.length, vectors = fieldVectors(compact), serialized = [], inverted = [], i
    for (var d = 0; d < n; d++) {
      for (var f = 0; f < compact.fields.length; f++) serialized.push([fieldRef(compact, f, d), vectors[f * n + d]])
    }
    var position = Object.create(null)
    for (i = 0; i < compact.terms.length; i++) position[compact.terms[i]] = i
    sortedTerms(compact).forEach(function (term) { inverted.push([term, posting(compact, position[term])]) })
    return {
      version: compact.lunr,
      fields: compact.fields,
      fieldVectors: serialized,
      invertedIndex: inverted,
      pipeline: compact.pipeline
    }
  }

  // The same index as lunr.Index.load(expandIndex(compact)), but each term's
  // posting is built the first time a query reads it: lunr only ever looks
  // postings up by term, and building all of them up front takes longer than
  // everything else here together. (So index.toJSON() lists only the terms
  // queried so far; serialise expandIndex(compact) instead.)
  api.loadIndex = function (compact) {
    check(compact)
    var n = compact.refs.length, vectors = fieldVectors(compact), byRef = {}, position = new Map()
    for (var d = 0; d < n; d++) {
      for (var f = 0; f < compact.fields.length; f++) {
        byRef[fieldRef(compact, f, d)] = new lunr.Vector(vectors[f * n + d])
      }
    }
    compact.terms.forEach(function (term, i) { position.set(term, i) })
    var invertedIndex = new Proxy(Object.create(null), {
      get: function (built, term) {
        if (!(term in built) && position.has(term)) built[term] = posting(compact, position.get(term))
        return built[term]
      }
    })
    return new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: byRef,
      tokenSet: lunr.TokenSet.fromArray(sortedTerms(compact)),
      fields: compact.fields,
      pipeline: lunr.Pipeline.load(compact.pipeline)
    })
  }

  api.docsByRef = function (compact) {
    var byRef = Object.create(null)
    for (var i = 0; i < compact.refs.length; i++) byRef[compact.refs[i]] = compact.docs ? compact.docs[i] : null
    return byRef
  }

  if (typeof module === 'object' && module.exports) module.exports = api
})(typeof self !== 'undefined' ? self : globalThis)
