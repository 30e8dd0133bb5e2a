/* An episode page's audio beside its transcript: "play from here" on each
 * paragraph, the paragraph being spoken marked (aria-current) and followed
 * while the listener has not scrolled away, and ?t=SECONDS links that open
 * the page ready to play from that moment.
 *
 * Paragraph times are estimates (word position x duration), so they are
 * shown with "≈". Nothing is fetched until the listener presses play: the
 * <audio> has preload="none" and this script never touches its source. */
(function () {
  'use strict'
  var audio = document.getElementById('episode-audio')
  if (!audio) return
  var section = audio.closest('.listen')
  var status = section.querySelector('.listen-status')
  var note = section.querySelector('.listen-note')
  var elapsed = section.querySelector('[data-elapsed]')
  var total = section.querySelector('[data-total]')
  var share = section.querySelector('.share-time')
  // Each paragraph's estimated start is in its data-start; its "play from
  // here" button is made here, not sent in the page (a tenth of an hour-long
  // episode's page, for a button no one can use without this script).
  var paragraphs = Array.prototype.slice.call(document.querySelectorAll('.transcript p[data-start]'))
  var starts = paragraphs.map(function (p) { return Number(p.getAttribute('data-start')) || 0 })
  var buttons = paragraphs.map(function (p, i) {
    var button = document.createElement('button')
    button.type = 'button'
    button.className = 'play-from'
    button.setAttribute('data-start', String(starts[i]))
    button.innerHTML = '<span aria-hidden="true">▶</span> <span class="visually-hidden">Play from </span>'
    button.appendChild(document.createTextNode('≈' + clock(starts[i])))
    p.appendChild(document.createTextNode(' '))
    p.appendChild(button)
    return button
  })

  var current = -1       // index of the paragraph marked as being spoken
  var pending = null     // seconds to seek to once the audio knows its length
  var following = true   // the page scrolls along until the listener scrolls away
  var ownScrollAt = 0    // when this script last scrolled, to tell it from the listener

  function clock (seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0))
    var h = Math.floor(seconds / 3600)
    var m = Math.floor(seconds % 3600 / 60)
    var s = seconds % 60
    var mm = h ? (m < 10 ? '0' : '') + m : String(m)
    return (h ? h + ':' : '') + mm + ':' + (s < 10 ? '0' : '') + s
  }

  // The last paragraph starting at or before ``seconds`` (binary search).
  function paragraphAt (seconds) {
    var lo = 0
    var hi = starts.length - 1
    var found = starts.length ? 0 : -1
    while (lo <= hi) {
      var mid = (lo + hi) >> 1
      if (starts[mid] <= seconds) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }

  // The top of what the listener can read: below the player once it sticks there.
  function readableTop () {
    return section.classList.contains('is-active') ? Math.max(0, section.getBoundingClientRect().bottom) : 0
  }

  function inView (element) {
    var box = element.getBoundingClientRect()
    return box.bottom > readableTop() && box.top < window.innerHeight
  }

  function startInView (element) {
    var top = element.getBoundingClientRect().top
    return top >= readableTop() && top < window.innerHeight - 40
  }

  function showTime (seconds) {
    elapsed.textContent = clock(seconds)
    var at = paragraphAt(seconds)
    if (at < 0) return
    share.hidden = false
    share.href = location.pathname + '?t=' + Math.floor(seconds) + '#' + paragraphs[at].id
    share.textContent = 'Copy link to ≈' + clock(seconds)
  }

  function mark (index) {
    if (index === current) return
    if (current >= 0) {
      paragraphs[current].removeAttribute('aria-current')
      paragraphs[current].classList.remove('is-playing')
    }
    current = index
    if (index < 0) return
    var paragraph = paragraphs[index]
    paragraph.setAttribute('aria-current', 'true')
    paragraph.classList.add('is-playing')
    if (following && !startInView(paragraph)) {
      ownScrollAt = Date.now()
      paragraph.scrollIntoView({ block: 'start' })
    }
  }

  function seek (seconds) {
    if (audio.readyState >= 1) {
      audio.currentTime = seconds
    } else {
      pending = seconds   // setting currentTime now would be lost: nothing is loaded yet
    }
    showTime(seconds)
  }

  function playFrom (seconds) {
    following = true
    seek(seconds)
    var playing = audio.play()
    if (playing && playing.catch) playing.catch(function () {})   // a refused autoplay is not an error
  }

  buttons.forEach(function (button, i) {
    button.addEventListener('click', function () { playFrom(starts[i]) })
  })
  status.hidden = false
  note.hidden = !buttons.length

  audio.addEventListener('loadedmetadata', function () {
    if (isFinite(audio.duration)) total.textContent = clock(audio.duration)
    if (pending !== null) {
      audio.currentTime = pending
      pending = null
    }
  })
  audio.addEventListener('play', function () {
    section.classList.add('is-active')
    var cued = document.querySelector('.is-cued')
    if (cued) cued.classList.remove('is-cued')
  })
  audio.addEventListener('timeupdate', function () {
    if (pending !== null) return
    showTime(audio.currentTime)
    if (!audio.paused || audio.currentTime > 0) mark(paragraphAt(audio.currentTime))
  })

  window.addEventListener('scroll', function () {
    if (Date.now() - ownScrollAt < 400 || current < 0) return
    following = inView(paragraphs[current])   // scrolling back to it resumes following
  }, { passive: true })

  share.addEventListener('click', function (event) {
    if (!navigator.clipboard) return   // the plain link still works
    event.preventDefault()
    var link = share.href
    navigator.clipboard.writeText(link).then(function () {
      var label = share.textContent
      share.textContent = 'Link copied'
      setTimeout(function () { share.textContent = label }, 1500)
    }, function () { location.href = link })
  })

  // ?t=SECONDS: open at that paragraph, ready to play from there.
  var wanted = Number(new URLSearchParams(location.search).get('t'))
  if (new URLSearchParams(location.search).has('t') && isFinite(wanted) && wanted >= 0) {
    var at = paragraphAt(wanted)
    seek(wanted)
    if (at >= 0) {
      paragraphs[at].classList.add('is-cued')
      if (!location.hash) paragraphs[at].scrollIntoView({ block: 'start' })
    }
    note.textContent = 'Ready to play from ≈' + clock(wanted) + ': press play.'
    note.hidden = false
  }
})()
