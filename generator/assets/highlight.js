/* On an episode page reached from a search result (?hl=words#p-N): mark the
 * matched words in that paragraph and bring it into view. */
(function () {
  'use strict'
  var words = new URLSearchParams(location.search).get('hl')
  var target = words && location.hash && document.getElementById(fragment(location.hash))
  if (!target) return
  var WORD_CHAR = /[\p{L}\p{N}]/u
  var wanted = Object.create(null)
  words.split(/\s+/).forEach(function (w) { if (w) wanted[w.toLowerCase()] = true })

  // The parser splits a long text into several text nodes, and where depends
  // on how the page arrived: joined, a word is never cut into pieces that match.
  target.normalize()
  var walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      return node.parentNode.closest('.para-link') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT
    }
  })
  var nodes = []
  while (walker.nextNode()) nodes.push(walker.currentNode)
  nodes.forEach(function (node) {
    var parts = node.nodeValue.split(/(\s+)/)
    if (!parts.some(function (p) { return wanted[edges(p).core.toLowerCase()] })) return
    var frag = document.createDocumentFragment()
    parts.forEach(function (part) {
      var word = edges(part)
      if (!wanted[word.core.toLowerCase()]) {
        frag.appendChild(document.createTextNode(part))
        return
      }
      var mark = document.createElement('mark')
      mark.textContent = word.core
      frag.appendChild(document.createTextNode(word.lead))
      frag.appendChild(mark)
      frag.appendChild(document.createTextNode(word.trail))
    })
    node.parentNode.replaceChild(frag, node)
  })
  target.classList.add('is-hit')
  target.scrollIntoView({ block: 'center' })

  // The element id a #fragment names; '' for one that is not valid
  // percent-encoding (#%, #%E0%A4%A), which names nothing.
  function fragment (hash) {
    try {
      return decodeURIComponent(hash.slice(1))
    } catch (e) {
      return ''
    }
  }

  // A word as its leading punctuation, core and trailing punctuation: words are
  // compared without their punctuation, and only the core is marked. A scan
  // from each end, not a regex: /^(\W*)(.*?)(\W*)$/ backtracks into
  // quadratic time on a long run of punctuation between two letters.
  function edges (part) {
    var chars = Array.from(part)   // code points: a letter outside the BMP is one
    var start = 0
    var end = chars.length
    while (start < end && !WORD_CHAR.test(chars[start])) start++
    while (end > start && !WORD_CHAR.test(chars[end - 1])) end--
    return { lead: chars.slice(0, start).join(''), core: chars.slice(start, end).join(''), trail: chars.slice(end).join('') }
  }
})()
