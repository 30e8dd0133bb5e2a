/* The search pipeline shared with generator/search.py: the same functions
 * under the same names, so a query is tokenised exactly as the index was.
 * Load after lunr.js (a <script>, importScripts in a worker, or require in
 * node after setting globalThis.lunr). Defines self.archiveSearch.
 */
(function (root) {
  'use strict'
  var lunr = root.lunr || require('lunr')
  var api = root.archiveSearch = root.archiveSearch || {}

  // Letters NFKD leaves whole, and the apostrophes people type for "'".
  var FOLD_TABLE = {
    '\u00df': 'ss', '\u00e6': 'ae', '\u0153': 'oe', '\u00f8': 'o', '\u0142': 'l', '\u0111': 'd',
    '\u00f0': 'd', '\u00fe': 'th', '\u0127': 'h', '\u0131': 'i', '\u2019': "'", '\u2018': "'", '\u02bc': "'"
  }
  var FOLD_CHARS = new RegExp('[' + Object.keys(FOLD_TABLE).join('') + ']', 'g')
  var MARKS = /\p{Mn}/gu
  var NON_ASCII = /[^\x00-\x7f]/
  var WORD_CHAR = /^[\p{L}\p{N}]$/u

  // Lower case without accents: 'Erdoğan' -> 'erdogan', 'Kyïv' -> 'kyiv'.
  api.fold = function (text) {
    if (!NON_ASCII.test(text)) return text.toLowerCase()
    return text.normalize('NFKD').toLowerCase().replace(MARKS, '')
      .replace(FOLD_CHARS, function (ch) { return FOLD_TABLE[ch] })
  }

  // The word without leading or trailing non-letters, nor a possessive 's.
  // A scan from each end, not /[^\p{L}\p{N}]+$/, which backtracks into
  // quadratic time on a long run of punctuation followed by a letter.
  api.trim = function (word) {
    var start = 0, end = word.length, cp
    for (;;) {
      while (start < end && !WORD_CHAR.test(String.fromCodePoint(cp = word.codePointAt(start)))) start += cp > 0xffff ? 2 : 1
      while (end > start && !WORD_CHAR.test(String.fromCodePoint(cp = codePointBefore(word, end)))) end -= cp > 0xffff ? 2 : 1
      if (end - start < 2 || word[end - 2] !== "'" || word[end - 1] !== 's') return word.slice(start, end)
      end -= 2
    }
  }

  function codePointBefore (text, end) {
    var low = text.charCodeAt(end - 1), high = end >= 2 ? text.charCodeAt(end - 2) : 0
    return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? text.codePointAt(end - 2) : low
  }

  function archiveFold (token) {
    return token.update(api.fold)
  }

  function archiveTrimmer (token) {
    token.update(api.trim)
    return token.toString() ? token : null
  }

  // A wrapper, so that registering it does not relabel lunr.stemmer itself.
  function archiveStemmer (token) {
    return lunr.stemmer(token)
  }

  lunr.Pipeline.registerFunction(archiveFold, 'archiveFold')
  lunr.Pipeline.registerFunction(archiveTrimmer, 'archiveTrimmer')
  lunr.Pipeline.registerFunction(archiveStemmer, 'archiveStemmer')

  api.indexPipeline = [archiveFold, archiveTrimmer, lunr.stopWordFilter, archiveStemmer]
  api.searchPipeline = [archiveFold, archiveTrimmer, archiveStemmer]

  // The terms a piece of text contributes to the index, in order (one per
  // token kept), e.g. to find which paragraph of a transcript matched.
  var indexPipeline = new lunr.Pipeline()
  indexPipeline.add.apply(indexPipeline, api.indexPipeline)
  api.terms = function (text) {
    return indexPipeline.run(lunr.tokenizer(text)).map(String)
  }

  if (typeof module === 'object' && module.exports) module.exports = api
})(typeof self !== 'undefined' ? self : globalThis)
