/* The sharded search index generator/search_shards.py writes, as lunr.js
 * 2.3.9 indexes built for one query at a time. Load after lunr.js and
 * search-pipeline.js (importScripts in the search worker, require in node):
 *
 *   archiveSearch.search(manifest, cache, file, q, typing)   // file(name): a promise of search/name, parsed
 *     .then(function (found) { found.hits })   // lunr's results: [{ref, score, terms}]
 *
 * ``plan`` says which shards and terms a query needs, ``partialIndex``
 * builds the lunr.Index of just those terms.
 *
 * Each posting carries its term frequency, from which ``expandedTerm``
 * works out the field vector element lunr's Builder computes for the whole
 * archive, as the Builder does; lunr scores a hit by dot(query vector, field
 * vector) / |query vector|, so the partial index scores exactly as the full
 * one (PORT.md beside generator/search_shards.py says why).
 */
(function (root) {
  'use strict'
  var lunr = root.lunr || require('lunr')
  var api = root.archiveSearch = root.archiveSearch || {}
  var FORMAT = 3
  var NO_METADATA = Object.freeze({})

  // The bounds that keep every query fast, whatever is typed.
  api.MAX_EDIT_DISTANCE = 2
  api.MAX_EXPANSIONS = 100      // words a wildcard or fuzzy term may stand for
  api.MAX_TERM_SHARDS = 4       // shards one wildcard or fuzzy term may need
  api.MAX_FUZZY_LENGTH = 40     // longer fuzzy words match only themselves

  api.checkManifest = function (manifest) {
    if (manifest.format !== FORMAT) throw new Error('search index format ' + manifest.format + ', expected ' + FORMAT)
  }

  // File names (search_shards.shard_name and meta_name).
  api.shardName = function (manifest, i) { return 'shard-' + manifest.shards[i][2] + '.json' }
  api.metaName = function (manifest, i) { return 'meta-' + manifest.meta[i] + '.json' }

  // Shards whose term range meets [from, to] (to: the last string that may match).
  function shardsBetween (manifest, from, to) {
    var out = []
    manifest.shards.forEach(function (s, i) { if (s[1] >= from && s[0] <= to) out.push(i) })
    return out
  }
  api.shardsFor = function (manifest, term) { return shardsBetween(manifest, term, term) }
  api.shardsForPrefix = function (manifest, prefix) { return shardsBetween(manifest, prefix, prefix + '\uffff') }

  // A glob with '*' (any run of characters), matched in linear time per
  // '*'-free piece: no backtracking, whatever the pattern.
  api.globMatch = function (pattern, text) {
    var p = 0, t = 0, star = -1, mark = 0
    while (t < text.length) {
      if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) { p++; t++ } else if (p < pattern.length && pattern[p] === '*') { star = p++; mark = t } else if (star >= 0) { p = star + 1; t = ++mark } else return false
    }
    while (p < pattern.length && pattern[p] === '*') p++
    return p === pattern.length
  }

  // Every edit (insertion, deletion, substitution, transposition) changes a
  // word's letter counts by at most 2: a cheap test no near spelling fails.
  function closeCounts (word, term, distance) {
    if (Math.abs(word.length - term.length) > distance) return false
    var counts = Object.create(null), ch, i, diff = 0
    for (i = 0; i < word.length; i++) { ch = word[i]; counts[ch] = (counts[ch] || 0) + 1 }
    for (i = 0; i < term.length; i++) { ch = term[i]; counts[ch] = (counts[ch] || 0) - 1 }
    for (ch in counts) diff += Math.abs(counts[ch])
    return diff <= 2 * distance
  }

  // lunr's own expansion of a clause's term over the candidate words.
  function lunrExpand (clause, term, candidates) {
    if (!candidates.length) return []
    var probe = { term: term }
    if ('editDistance' in clause) probe.editDistance = clause.editDistance
    return lunr.TokenSet.fromArray(candidates.slice().sort()).intersect(lunr.TokenSet.fromClause(probe)).toArray()
  }

  /* What a query needs. ``build(query)`` fills a lunr.Query; ``loaded``
   * gives a loaded shard's {t, p} by number, or null; ``termList`` is the
   * whole term list, or null until a query needs it. Returns
   * {shards, terms, needTermList, notices, negated} once every shard it names is loaded
   * (call again after loading them: each call may need more). */
  api.plan = function (manifest, build, loaded, termList, pipeline) {
    var query = new lunr.Query(manifest.fields)
    build(query)
    var need = Object.create(null), terms = Object.create(null), notices = [], needTermList = false, missing = false
    function want (list) { list.forEach(function (i) { need[i] = true; if (!loaded(i)) missing = true }) }
    query.clauses.forEach(function (clause) {
      var raw = clause.usePipeline ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term]
      raw.forEach(function (term) {
        var fuzzy = clause.editDistance > 0, star = term.indexOf('*')
        if (!fuzzy && star < 0) {
          want(api.shardsFor(manifest, term))
          terms[term] = true
          return
        }
        var candidates
        if (!fuzzy && star > 0) {   // a prefix: its shards hold every candidate
          var prefix = term.slice(0, star), range = api.shardsForPrefix(manifest, prefix)
          if (range.length > api.MAX_TERM_SHARDS) {
            notices.push('“' + term + '” starts too many words; only the first are searched. Type more letters.')
            range = range.slice(0, api.MAX_TERM_SHARDS)
          }
          want(range)
          if (missing) return
          candidates = []
          range.forEach(function (i) {
            loaded(i).t.forEach(function (t) { if (t.lastIndexOf(prefix, 0) === 0 && api.globMatch(term, t)) candidates.push(t) })
          })
        } else {
          if (!termList) { needTermList = true; return }
          if (fuzzy && term.length > api.MAX_FUZZY_LENGTH) {
            notices.push('“' + term + '” is too long to match near spellings; only the word itself is searched.')
            candidates = termList.indexOf(term) >= 0 ? [term] : []
          } else {
            candidates = termList.filter(fuzzy ? function (t) { return closeCounts(term, t, clause.editDistance) }
              : function (t) { return api.globMatch(term, t) })
          }
        }
        var expanded = lunrExpand(clause, term, candidates)
        if (expanded.length > api.MAX_EXPANSIONS) {
          notices.push('“' + term + (fuzzy ? '~' + clause.editDistance : '') + '” matches ' + expanded.length +
            ' words; only ' + api.MAX_EXPANSIONS + ' are searched.')
          expanded = expanded.sort().slice(0, api.MAX_EXPANSIONS)
        }
        if (!(!fuzzy && star > 0)) {   // from the term list: at most a few shards
          var shardsUsed = Object.create(null), kept = []
          expanded.forEach(function (t) {
            var s = api.shardsFor(manifest, t)
            var fresh = s.filter(function (i) { return !shardsUsed[i] })
            if (Object.keys(shardsUsed).length + fresh.length > api.MAX_TERM_SHARDS) return
            fresh.forEach(function (i) { shardsUsed[i] = true })
            kept.push(t)
          })
          if (kept.length < expanded.length) {
            notices.push('“' + term + '” matches words all over the index; only ' + kept.length + ' of them are searched.')
          }
          expanded = kept
          want(Object.keys(shardsUsed).map(Number))
        }
        expanded.forEach(function (t) { terms[t] = true })
      })
    })
    return {
      shards: Object.keys(need).map(Number).sort(function (a, b) { return a - b }),
      terms: Object.keys(terms), needTermList: needTermList, complete: !missing && !needTermList,
      notices: notices, negated: query.clauses.length > 0 && query.isNegated()
    }
  }

  // A term's postings from the loaded shards, pieces joined: [key, tf, ...] with absolute keys.
  function postingsOf (manifest, loaded, term) {
    var out = []
    api.shardsFor(manifest, term).forEach(function (i) {
      var shard = loaded(i), at = shard.t.indexOf(term)
      if (at < 0) return
      var row = shard.p[at], key = 0
      for (var j = 0; j < row.length; j += 2) { key += row[j]; out.push(key, row[j + 1]) }
    })
    return out
  }

  api.ref = function (d) { return d.toString(36) }

  /* The docs file made ready: each document's number (``numbers``, in
   * order), its place in that order by number (``position``), the lengths
   * of its fields (``lengths``, document by document) and each field's
   * average length over all documents (``averages``), as lunr's Builder
   * works it out (calculateAverageFieldLengths). */
  api.documents = function (manifest, file) {
    var width = manifest.fields.length, sums = manifest.fields.map(function () { return 0 })
    var numbers = [], position = Object.create(null), number = 0, i
    for (i = 0; i < file.n.length; i++) {
      number += file.n[i]
      numbers.push(number)
      position[number] = i
    }
    for (i = 0; i < file.l.length; i++) sums[i % width] += file.l[i]
    return { numbers: numbers, position: position, lengths: file.l,
      averages: sums.map(function (sum) { return sum / manifest.n }) }
  }

  // A term's postings as lunr wants them, kept across queries (a session
  // repeats its words): the inverted index entry, and per posting its field
  // ref and vector element. ``_index`` is a number the term keeps for the
  // session, so the entry is reused as it is; lunr only needs a field
  // vector's elements in ascending index order, and a query vector to use
  // the same numbers.
  api.KEEP_TERMS = 200
  function expandedTerm (manifest, loaded, cache, term) {
    var held = cache.expanded || (cache.expanded = { count: 0, terms: Object.create(null) })
    var found = held.terms[term]
    if (found) return found
    var row = postingsOf(manifest, loaded, term)
    if (!row.length) return null
    if (held.count >= api.KEEP_TERMS) { held.terms = Object.create(null); held.count = 0 }
    var fields = manifest.fields, width = fields.length, f, j, key
    cache.nextTermIndex = cache.nextTermIndex || 0
    var posting = { _index: cache.nextTermIndex++ }, fieldRefs = [], values = []
    for (f = 0; f < fields.length; f++) posting[fields[f]] = {}
    for (j = 0; j < row.length; j += 2) {
      key = row[j]
      f = key % width
      var ref = api.ref((key - f) / width)
      posting[fields[f]][ref] = NO_METADATA
      fieldRefs.push(fields[f] + '/' + ref)
    }
    // lunr.Builder.prototype.createFieldVectors, operation for operation
    // (a document boost of 1 changes nothing), so the doubles agree.
    var idf = lunr.idf(posting, manifest.n), k1 = manifest.k1, b = manifest.b
    var docs = cache.docs, lengths = docs.lengths, averages = docs.averages
    for (j = 0; j < row.length; j += 2) {
      key = row[j]
      f = key % width
      var tf = row[j + 1], length = lengths[docs.position[(key - f) / width] * width + f]
      var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / averages[f])) + tf)
      score *= manifest.boosts[f]
      values.push(Math.round(score * 1000) / 1000)
    }
    found = held.terms[term] = { posting: posting, fieldRefs: fieldRefs, values: values }
    held.count++
    return found
  }

  // A lunr.Index of the planned terms only, with the field vector elements
  // the full index has for them. ``cache`` holds the documents
  // (``api.documents``) and keeps expanded terms between calls.
  api.partialIndex = function (manifest, loaded, plan, cache) {
    var fields = manifest.fields, invertedIndex = Object.create(null), elements = Object.create(null)
    var f
    if (plan.negated) {   // lunr then ranks every document: it reads the keys of all field vectors, in order
      cache.docs.numbers.forEach(function (number) {
        for (f = 0; f < fields.length; f++) elements[fields[f] + '/' + api.ref(number)] = []
      })
    }
    var present = []
    plan.terms.forEach(function (term) {
      var expanded = expandedTerm(manifest, loaded, cache, term)
      if (!expanded) return
      present.push(expanded)
      invertedIndex[term] = expanded.posting
    })
    // Each field vector's elements in ascending term index.
    present.sort(function (a, b) { return a.posting._index - b.posting._index })
    present.forEach(function (expanded) {
      var index = expanded.posting._index, fieldRefs = expanded.fieldRefs, values = expanded.values
      for (var j = 0; j < fieldRefs.length; j++) {
        var list = elements[fieldRefs[j]]
        if (list) list.push(index, values[j])
        else elements[fieldRefs[j]] = [index, values[j]]
      }
    })
    var fieldVectors = Object.create(null)
    for (var key in elements) fieldVectors[key] = new lunr.Vector(elements[key])
    return new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(Object.keys(invertedIndex).sort()),
      fields: fields,
      pipeline: lunr.Pipeline.load(manifest.pipeline)
    })
  }


  // "quoted phrases" (optionally field:"...") become required terms, checked
  // for adjacency later; the rest goes to lunr's own query parser.
  api.parse = function (q) {
    var phrases = []
    var rest = q.replace(/(?:(\w+):)?"([^"]*)"?/g, function (_, field, text) {
      var terms = api.terms(text)
      if (terms.length) phrases.push({ field: field, terms: terms })
      return ' '
    })
    // Folding first also covers wildcard terms, which lunr keeps out of the pipeline.
    return { rest: api.fold(rest).trim(), phrases: phrases, open: /[^\s"]$/.test(q) }
  }

  // While the last word is still being typed it matches as a prefix that
  // meets the stems. The index holds stems ("escalation" is "escal"), so the
  // word so far, say "escalat", is stemmed as it would be with each common
  // ending ("escalate" and "escalation" give "escal"); the word's prefixes
  // are the word itself and every such stem shorter than it. Of those, a
  // prefix of another one covers it, so the rest match disjoint sets of
  // terms, each counted once. A required or excluded word takes the
  // shortest (one clause must stand for it).
  var ENDINGS = ['', 'e', 's', 'es', 'ed', 'ing', 'ion', 'ions', 'ation', 'al', 'ally', 'ly', 'ness', 'ment',
    'ity', 'ive', 'ize', 'er', 'est', 'ful', 'ous', 'ism', 'ist', 'able', 'ible', 'ance', 'ence', 'ant', 'ent', 'ate']
  api.MIN_PREFIX = 2

  api.typedPrefixes = function (word) {
    var found = [word]
    ENDINGS.forEach(function (ending) {
      var stem = lunr.stemmer(new lunr.Token(word + ending)).toString()
      if (stem.length < word.length && stem.length >= api.MIN_PREFIX && found.indexOf(stem) < 0) found.push(stem)
    })
    return found.filter(function (p) {
      return !found.some(function (q) { return q !== p && p.lastIndexOf(q, 0) === 0 })
    }).sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1) })
  }

  function typedPrefix (query) {
    var last = query.clauses[query.clauses.length - 1]
    if (!last || !last.usePipeline || last.editDistance || /\*/.test(last.term)) return
    var word = api.trim(last.term)
    if (word.length < api.MIN_PREFIX) return
    var prefixes = api.typedPrefixes(word)
    last.term = prefixes[0] + '*'
    last.usePipeline = false
    if (last.presence !== lunr.Query.presence.OPTIONAL) return
    prefixes.slice(1).forEach(function (prefix) {
      query.clause({ term: prefix + '*', usePipeline: false, fields: last.fields, boost: last.boost,
        presence: last.presence })
    })
  }

  // A function that fills a lunr.Query with the parsed query: lunr's parser,
  // edit distances clamped, the typed prefix, then the phrases' words.
  api.buildQuery = function (parsed, typing) {
    return function (query) {
      if (parsed.rest) new lunr.QueryParser(parsed.rest, query).parse()
      query.clauses.forEach(function (clause) {
        if (clause.editDistance > api.MAX_EDIT_DISTANCE) clause.editDistance = api.MAX_EDIT_DISTANCE
      })
      if (typing && parsed.open) typedPrefix(query)
      parsed.phrases.forEach(function (phrase) {
        phrase.terms.forEach(function (term) {
          // lunr treats a present-but-undefined 'fields' as no fields at all.
          var clause = { term: term, presence: lunr.Query.presence.REQUIRED, usePipeline: false }
          if (phrase.field) clause.fields = [phrase.field]
          query.clause(clause)
        })
      })
    }
  }

  // Shards kept in memory between queries: enough for a session's words,
  // bounded so the worker's heap stays small (the HTTP cache has the rest).
  api.KEEP_SHARDS = 40
  api.KEEP_ANSWERS = 8          // recent queries' hits, for paging, filters and sort
  function forgetShards (cache, used) {
    var held = Object.keys(cache.shards)
    if (held.length <= api.KEEP_SHARDS) return
    held.forEach(function (i) { if (used.indexOf(Number(i)) < 0) delete cache.shards[i] })
  }

  // lunr's hits with each matchData reduced to the terms it matched (all a
  // snippet needs), one shared list per set of terms: recent answers are
  // kept, and at 10,000 episodes their matchData held most of the worker's
  // heap (docs/benchmarks.md, session 9).
  function compact (hits) {
    var lists = Object.create(null)
    return hits.map(function (hit) {
      var terms = Object.keys(hit.matchData.metadata).sort(), key = terms.join(' ')
      return { ref: hit.ref, score: hit.score, terms: lists[key] || (lists[key] = terms) }
    })
  }

  /* A query's hits, exactly as a full lunr index would rank them.
   * ``file(name)`` returns a promise of a parsed file of search/;
   * ``cache`` (an object) keeps what it gave across queries. */
  api.search = function (manifest, cache, file, q, typing) {
    // The same query again (another page, filter or order of its results) has the same hits.
    var key = (typing ? 'typing ' : 'query ') + q
    cache.answers = cache.answers || []
    for (var a = 0; a < cache.answers.length; a++) if (cache.answers[a].key === key) return Promise.resolve(cache.answers[a].found)
    function remember (found) {
      cache.answers.unshift({ key: key, found: found })
      cache.answers.length = Math.min(cache.answers.length, api.KEEP_ANSWERS)
      return found
    }
    var parsed = api.parse(q)
    var build = api.buildQuery(parsed, typing)
    var pipeline = lunr.Pipeline.load(manifest.pipeline)
    cache.shards = cache.shards || Object.create(null)
    function loaded (i) { return cache.shards[i] || null }
    function step (rounds) {
      if (!parsed.rest && !parsed.phrases.length) return { hits: [], notices: [], parsed: parsed }
      var plan = api.plan(manifest, build, loaded, cache.terms || null, pipeline)
      if (plan.complete && cache.docs) {
        var index = api.partialIndex(manifest, loaded, plan, cache)
        cache.terms = null   // large, and needed only now and then: the HTTP cache keeps it
        forgetShards(cache, plan.shards)
        return remember({ hits: compact(index.query(build)), notices: plan.notices, parsed: parsed, plan: plan })
      }
      if (rounds > 4) throw new Error('the query needs more of the index than it can load')
      var waits = plan.shards.filter(function (i) { return !cache.shards[i] }).map(function (i) {
        return file(api.shardName(manifest, i)).then(function (data) { cache.shards[i] = data })
      })
      if (plan.needTermList && !cache.terms) waits.push(file(manifest.terms).then(function (list) { cache.terms = list }))
      // Every query needs the field lengths: fetched alongside its first shards, once.
      if (!cache.docs) waits.push(file(manifest.docs).then(function (docs) { cache.docs = api.documents(manifest, docs) }))
      return Promise.all(waits).then(function () { return step(rounds + 1) })
    }
    try {
      return Promise.resolve(step(0))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  if (typeof module === 'object' && module.exports) module.exports = api
})(typeof self !== 'undefined' ? self : globalThis)
