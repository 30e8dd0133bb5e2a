/* The search box in every page header, and the live results on search/.
 * '/' focuses the box; on the search page results appear as you type,
 * arrow keys move through them, Enter opens one, Escape clears.
 */
(function () {
  'use strict'
  var input = document.getElementById('site-search')
  if (!input) return

  function typingIn (el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))
  }
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingIn(e.target)) {
      e.preventDefault()
      input.focus()
      input.select()
    }
  })

  var app = document.getElementById('search-app')
  if (!app || !window.Worker) return

  var base = document.body.getAttribute('data-base-path') || '/'
  var status = document.getElementById('search-status')
  var list = document.getElementById('search-results')
  var form = input.form
  var worker = new Worker(base + 'assets/search-worker.js')
  var ready = false
  var lastId = 0
  var shown = []
  var active = -1
  var query = ''
  var total = 0
  var PAGE = 10

  function setStatus (text, loading) {
    status.textContent = text
    status.classList.toggle('is-loading', !!loading)
  }

  function resultLink (r) {
    var url = base + r.url
    if (r.paragraph) {
      if (r.words.length) url += '?hl=' + encodeURIComponent(r.words.join(' '))
      url += '#p-' + r.paragraph
    }
    return url
  }

  function fill (li, r) {
    var a = li.querySelector('a')
    a.href = resultLink(r)
    a.querySelector('.result-meta').textContent =
      [r.show, r.date, r.paragraph ? 'paragraph ' + r.paragraph : ''].filter(Boolean).join(' · ')
    var old = a.querySelector('.result-snippet')
    if (old) old.remove()
    if (!r.snippet) return
    var snip = document.createElement('span')
    snip.className = 'result-snippet'
    r.snippet.forEach(function (run) {
      if (run[1]) {
        var mark = document.createElement('mark')
        mark.textContent = run[0]
        snip.appendChild(mark)
      } else snip.appendChild(document.createTextNode(run[0]))
    })
    a.appendChild(snip)
  }

  function render (results, append, complete) {
    if (!append) { list.textContent = ''; shown = [] }
    results.forEach(function (r) {
      var li = document.createElement('li')
      var a = document.createElement('a')
      a.className = 'result'
      var title = document.createElement('span')
      title.className = 'result-title'
      title.textContent = r.title
      var meta = document.createElement('span')
      meta.className = 'result-meta'
      a.appendChild(title)
      a.appendChild(meta)
      li.appendChild(a)
      fill(li, r)
      list.appendChild(li)
      shown.push(li)
    })
    list.setAttribute('data-state', complete ? 'complete' : 'partial')
    var more = document.getElementById('search-more')
    if (more) more.remove()
    if (shown.length < total) {
      var button = document.createElement('button')
      button.id = 'search-more'
      button.type = 'button'
      button.className = 'search-more'
      button.textContent = 'Show more results'
      button.addEventListener('click', function () { send(query, shown.length) })
      app.appendChild(button)
    }
    if (!append) setActive(shown.length ? 0 : -1, false)
  }

  function setActive (i, focus) {
    shown.forEach(function (li, j) { li.classList.toggle('is-active', j === i) })
    active = i
    if (focus && shown[i]) shown[i].querySelector('a').focus()
  }

  function send (q, offset) {
    lastId += 1
    worker.postMessage({ type: 'query', id: lastId, q: q, offset: offset || 0, limit: PAGE })
    if (!ready) setStatus('Loading the search index…', true)
  }

  function update (q) {
    query = q.trim()
    var url = query ? '?q=' + encodeURIComponent(query) : location.pathname
    history.replaceState(null, '', url)
    if (!query) {
      lastId += 1
      total = 0
      render([], false, true)
      setStatus(ready ? 'Type to search every transcript.' : 'Loading the search index…', !ready)
      return
    }
    send(query, 0)
  }

  worker.onmessage = function (event) {
    var msg = event.data
    if (msg.type === 'ready') {
      ready = true
      if (!query) setStatus('Type to search ' + msg.count + ' episodes.', false)
    } else if (msg.type === 'failed') {
      setStatus(msg.message, false)
    } else if (msg.type === 'snippets' && msg.id === lastId) {
      msg.results.forEach(function (r, i) { if (shown[msg.offset + i]) fill(shown[msg.offset + i], r) })
      list.setAttribute('data-state', 'complete')
    } else if (msg.type === 'results' && msg.id === lastId) {
      total = msg.total
      if (msg.error) {
        setStatus('That query could not be understood: ' + msg.error, false)
        render([], false, true)
        return
      }
      var append = msg.offset > 0
      render(msg.results, append, msg.complete)
      setStatus(msg.total === 0
        ? 'No episodes match “' + msg.q + '”. Try fewer or different words.'
        : msg.total + (msg.total === 1 ? ' episode matches' : ' episodes match') + ' “' + msg.q + '”.', false)
    }
  }
  worker.onerror = function () { setStatus('Search is unavailable in this browser.', false) }

  // No debounce: the worker answers a query in milliseconds, and answers
  // to superseded queries are dropped by id.
  input.addEventListener('input', function () { update(input.value) })
  form.addEventListener('submit', function (e) {
    e.preventDefault()
    if (shown[active]) location.href = shown[active].querySelector('a').href
    else update(input.value)
  })
  function onKey (e) {
    var inInput = document.activeElement === input
    if (e.key === 'ArrowDown' && shown.length) {
      e.preventDefault()
      setActive(inInput ? 0 : Math.min(active + 1, shown.length - 1), true)
    } else if (e.key === 'ArrowUp' && shown.length && !inInput) {
      e.preventDefault()
      if (active <= 0) input.focus()
      else setActive(active - 1, true)
    } else if (e.key === 'Escape') {
      e.preventDefault()
      input.value = ''
      update('')
      input.focus()
    }
  }
  list.addEventListener('focusin', function (e) {
    var li = e.target.closest('li')
    if (li) setActive(shown.indexOf(li), false)
  })
  input.addEventListener('keydown', onKey)
  list.addEventListener('keydown', onKey)

  worker.postMessage({ type: 'init', base: base, indexUrl: base + 'search/index.json' })
  var initial = new URLSearchParams(location.search).get('q') || ''
  input.value = initial
  if (initial) update(initial)
  else setStatus('Loading the search index…', true)
  input.focus()
})()
