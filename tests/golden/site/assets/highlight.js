/* On an episode page reached from a search result (?hl=words#p-N): mark the
 * matched words in that paragraph and bring it into view. */
(function () {
  'use strict'
  var words = new URLSearchParams(location.search).get('hl')
  var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)))
  if (!words || !target) return
  var wanted = Object.create(null)
  words.split(/\s+/).forEach(function (w) { if (w) wanted[w.toLowerCase()] = true })

  var walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      return node.parentNode.closest('.para-link') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT
    }
  })
  var nodes = []
  while (walker.nextNode()) nodes.push(walker.currentNode)
  // Words are compared without their punctuation, and only that core is marked.
  var edges = /^([^\p{L}\p{N}]*)([\s\S]*?)([^\p{L}\p{N}]*)$/u
  nodes.forEach(function (node) {
    var parts = node.nodeValue.split(/(\s+)/)
    if (!parts.some(function (p) { return wanted[edges.exec(p)[2].toLowerCase()] })) return
    var frag = document.createDocumentFragment()
    parts.forEach(function (part) {
      var m = edges.exec(part)
      if (!wanted[m[2].toLowerCase()]) {
        frag.appendChild(document.createTextNode(part))
        return
      }
      var mark = document.createElement('mark')
      mark.textContent = m[2]
      frag.appendChild(document.createTextNode(m[1]))
      frag.appendChild(mark)
      frag.appendChild(document.createTextNode(m[3]))
    })
    node.parentNode.replaceChild(frag, node)
  })
  target.classList.add('is-hit')
  target.scrollIntoView({ block: 'center' })
})()
