/* An episode page's transcript: the plain-text download, made here from the
 * page (the site keeps no .txt copy unless site.yaml sets transcript_files),
 * and the paragraph links' spoken names, which the markup leaves out to
 * stay small.
 *
 * The download holds the same bytes the generator's .txt holds
 * (build.transcript_text): the header in data-header, then each numbered
 * paragraph's text, blank lines between, a newline at the end. A
 * paragraph's text is its words with every run of whitespace made one
 * space, as Python's str.split() sees whitespace; an image counts as its alt
 * text, as in the Markdown it came from. */
(function () {
  'use strict'
  var SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/
  var paragraphs = Array.prototype.slice.call(document.querySelectorAll('.transcript p[id^="p-"]'))

  paragraphs.forEach(function (p) {
    var link = p.querySelector('.para-link')
    if (!link) return
    var n = p.id.slice(2)
    link.setAttribute('aria-label', 'Link to paragraph ' + n)
    link.title = 'Link to this paragraph'
  })

  function textOf (node) {
    if (node.nodeType === 3) return node.nodeValue
    if (node.nodeType !== 1) return ''
    if (node.classList.contains('para-link') || node.classList.contains('play-from')) return ''
    if (node.tagName === 'IMG') return node.getAttribute('alt') || ''
    var out = ''
    for (var child = node.firstChild; child; child = child.nextSibling) out += textOf(child)
    return out
  }

  function words (text) {
    return text.split(SPACE).filter(function (w) { return w }).join(' ')
  }

  var button = document.querySelector('button[data-download]')
  if (!button) return
  button.addEventListener('click', function () {
    var blocks = [button.getAttribute('data-header')]
    paragraphs.forEach(function (p) { blocks.push(words(textOf(p))) })
    var blob = new Blob([blocks.join('\n\n') + '\n'], { type: 'text/plain;charset=utf-8' })
    var a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = button.getAttribute('data-download')
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(function () { URL.revokeObjectURL(a.href) }, 1000)
  })
})()
