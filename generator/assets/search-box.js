/* The search box in every page header, and the live results on search/.
 * '/' focuses the box; on the search page results appear as you type,
 * arrow keys move through them, Enter opens one, Escape clears. The query,
 * filters and sort live in the URL: ?q=..&show=..&year=..&sort=date
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

  var base = document.body.getAttribute('data-base-path') || '/'
  var app = document.getElementById('search-app')
  if (!app) {
    // Elsewhere: focusing the box warms the cache with the current manifest.
    input.addEventListener('focus', function () {
      if (!window.fetch || input.getAttribute('data-warmed')) return
      input.setAttribute('data-warmed', '1')
      // A prefetch link, not fetch(): the reader may be on the search page before it
      // finishes, and a prefetch outlives the page that asked for it.
      fetch(base + 'search/latest.json', { cache: 'no-cache' }).then(function (r) { return r.json() })
        .then(function (latest) {
          var link = document.createElement('link')
          link.rel = 'prefetch'
          link.href = base + 'search/' + latest.manifest
          document.head.appendChild(link)
        }).catch(function () {})
    })
    return
  }
  if (!window.Worker) return

  var status = document.getElementById('search-status')
  var list = document.getElementById('search-results')
  var showSelect = document.getElementById('search-show')
  var yearSelect = document.getElementById('search-year')
  var sortSelect = document.getElementById('search-sort')
  var form = input.form
  var worker = new Worker(base + 'assets/search-worker.js')
  var ready = false
  var lastId = 0
  var shown = []
  var active = -1
  var query = ''
  var typing = false
  var total = 0
  var facets = false   // show counts wanted: the show select was used
  var PAGE = 10
  var DEBOUNCE = 120

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
    a.querySelector('.result-meta').textContent = [r.show, r.date].filter(Boolean).join(' · ')
    // What arrives with the snippet goes in the snippet's reserved lines, so
    // a phone's narrow meta line never gains a line under the reader.
    var snip = a.querySelector('.result-snippet')
    snip.textContent = ''
    var where = [r.paragraph ? 'paragraph ' + r.paragraph : '',
      r.phraseMissing ? 'has the words, not the exact phrase' : ''].filter(Boolean).join(' · ')
    if (where) {
      var label = document.createElement('span')
      label.className = 'result-where'
      label.textContent = where + (r.snippet ? ': ' : '')
      snip.appendChild(label)
    }
    if (!r.snippet) return
    r.snippet.forEach(function (run) {
      if (run[1]) {
        var mark = document.createElement('mark')
        mark.textContent = run[0]
        snip.appendChild(mark)
      } else snip.appendChild(document.createTextNode(run[0]))
    })
  }

  // A snippet needs its episode's page: asked for once its result is in view.
  var pending = 0      // snippets asked for, not yet here
  var unreported = 0   // results the observer has not reported on yet
  var seen = window.IntersectionObserver && new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.target.hasAttribute('data-seen')) {
        entry.target.setAttribute('data-seen', '')
        unreported--
      }
      if (!entry.isIntersecting) return
      seen.unobserve(entry.target)
      pending++
      worker.postMessage({ type: 'snippet', id: Number(entry.target.getAttribute('data-id')),
        index: shown.indexOf(entry.target) })
    })
    settled()
  })
  function settled () {
    list.setAttribute('data-state', pending > 0 || unreported > 0 ? 'partial' : 'complete')
  }

  function render (results, append, id) {
    if (!append) { list.textContent = ''; shown = []; pending = 0; unreported = 0; if (seen) seen.disconnect() }
    results.forEach(function (r) {
      var li = document.createElement('li')
      var a = document.createElement('a')
      a.className = 'result'
      var title = document.createElement('span')
      title.className = 'result-title'
      title.textContent = r.title
      var meta = document.createElement('span')
      meta.className = 'result-meta'
      var snip = document.createElement('span')   // its lines are reserved: the snippet arrives later
      snip.className = 'result-snippet'
      a.appendChild(title)
      a.appendChild(meta)
      a.appendChild(snip)
      li.appendChild(a)
      fill(li, r)
      li.setAttribute('data-id', id)
      list.appendChild(li)
      shown.push(li)
      if (seen) { unreported++; seen.observe(li) }
    })
    settled()
    var more = document.getElementById('search-more')
    if (more) more.remove()
    if (shown.length < total && results.length) {
      var button = document.createElement('button')
      button.id = 'search-more'
      button.type = 'button'
      button.className = 'search-more'
      button.textContent = 'Show more results'
      button.addEventListener('click', function () { send(shownOffset) })
      list.after(button)
    }
    if (!append) setActive(shown.length ? 0 : -1, false)
  }
  var shownOffset = 0

  function setActive (i, focus) {
    shown.forEach(function (li, j) { li.classList.toggle('is-active', j === i) })
    active = i
    if (focus && shown[i]) shown[i].querySelector('a').focus()
  }

  function filters () {
    return { show: showSelect.value, year: yearSelect.value, sort: sortSelect.value }
  }

  function send (offset) {
    lastId += 1
    var f = filters()
    worker.postMessage({ type: 'query', id: lastId, q: query, typing: typing, offset: offset || 0, limit: PAGE,
      show: f.show, year: f.year, sort: f.sort, facets: facets })
    if (!ready) setStatus('Loading the search index…', true)
  }

  function writeUrl () {
    var f = filters(), params = new URLSearchParams()
    if (query) params.set('q', query)
    if (f.show) params.set('show', f.show)
    if (f.year) params.set('year', f.year)
    if (f.sort) params.set('sort', f.sort)
    var search = params.toString()
    history.replaceState(null, '', search ? '?' + search : location.pathname)
  }

  function update (q, stillTyping) {
    query = q.trim()
    typing = stillTyping
    writeUrl()
    if (!query) {
      lastId += 1
      total = 0
      shownOffset = 0
      render([], false, lastId)
      setStatus(ready ? 'Type to search every transcript.' : 'Loading the search index…', !ready)
      return
    }
    shownOffset = 0
    send(0)
  }

  function counted (select, counts) {
    if (!counts) return
    var byValue = Object.create(null)
    counts.forEach(function (c) { byValue[String(c[0])] = c[1] })
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return
      var n = byValue[option.value] || 0
      option.textContent = option.value + ' (' + n + ')'
    })
  }

  function statusFor (msg) {
    var n = msg.total, words = '“' + msg.q + '”'
    var text
    if (n === 0) text = 'No episodes match ' + words + '. Try fewer or different words.'
    else if (msg.phrase) {
      text = n + (n === 1 ? ' episode has' : ' episodes have') + ' all the words of ' + words +
        '; each result says if the phrase is not there as written.'
    } else text = n + (n === 1 ? ' episode matches' : ' episodes match') + ' ' + words + '.'
    var f = filters()
    if (f.show || f.year) text += ' Filtered: ' + [f.show, f.year].filter(Boolean).join(', ') + '.'
    return [text].concat(msg.notices || []).join(' ')
  }

  worker.onmessage = function (event) {
    var msg = event.data
    if (msg.type === 'ready') {
      ready = true
      if (!query) setStatus('Type to search ' + msg.count + ' episodes.', false)
    } else if (msg.type === 'failed') {
      setStatus(msg.message, false)
    } else if (msg.type === 'snippets' && msg.id === Number(shown[msg.offset] && shown[msg.offset].getAttribute('data-id'))) {
      msg.results.forEach(function (r, i) { if (shown[msg.offset + i]) fill(shown[msg.offset + i], r) })
      pending = Math.max(0, pending - 1)
      settled()
    } else if (msg.type === 'results' && msg.id === lastId) {
      total = msg.total
      if (msg.error) {
        setStatus('That query could not be understood: ' + msg.error, false)
        render([], false, msg.id)
        return
      }
      counted(yearSelect, msg.years)
      counted(showSelect, msg.shows)
      shownOffset = msg.offset + msg.results.length
      render(msg.results, msg.offset > 0, msg.id)
      setStatus(statusFor(msg), false)
    }
  }
  worker.onerror = function () { setStatus('Search is unavailable in this browser.', false) }

  // Answers to superseded queries are dropped by id; the short wait keeps a
  // burst of keystrokes from fetching the shards of every half-typed word.
  var timer = 0
  input.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(function () { update(input.value, true) }, DEBOUNCE)
  })
  form.addEventListener('submit', function (e) {
    e.preventDefault()
    clearTimeout(timer)
    // Enter completes the query (no prefix for its last word); pressed again, it opens the chosen result.
    if (!typing && shown[active] && input.value.trim() === query) location.href = shown[active].querySelector('a').href
    else update(input.value, false)
  })
  ;[showSelect, yearSelect, sortSelect].forEach(function (select) {
    select.addEventListener('change', function () { update(input.value, typing) })
  })
  // Counts per show need the show of every episode: loaded once the filter is used.
  function wantFacets () {
    if (facets) return
    facets = true
    if (query) send(0)
  }
  showSelect.addEventListener('focus', wantFacets)
  showSelect.addEventListener('pointerdown', wantFacets)
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
      update('', false)
      input.focus()
    }
  }
  list.addEventListener('focusin', function (e) {
    var li = e.target.closest('li')
    if (li) setActive(shown.indexOf(li), false)
  })
  input.addEventListener('keydown', onKey)
  list.addEventListener('keydown', onKey)

  worker.postMessage({ type: 'init', base: base, manifestUrl: app.getAttribute('data-manifest') })
  var params = new URLSearchParams(location.search)
  function choose (select, value) {
    if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value })) select.value = value
  }
  choose(showSelect, params.get('show'))
  choose(yearSelect, params.get('year'))
  choose(sortSelect, params.get('sort'))
  if (params.get('show')) facets = true
  var initial = params.get('q') || ''
  input.value = initial
  if (initial) update(initial, false)
  else setStatus('Loading the search index…', true)
  input.focus()
})()
