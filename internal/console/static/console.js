// faresaga console: live updates. A page that shows something running asks for itself
// again every second and swaps in its live part. The new part is parsed by DOMParser
// from the console's own html/template output (every value in it escaped there); no
// string is ever assigned as markup, and the Content-Security-Policy forbids inline
// script besides. Open payloads stay open and the focused control keeps its focus.
'use strict';
(function () {
  const interval = 1000;
  let timer = 0;

  function livePart() { return document.getElementById('live'); }

  function schedule() {
    clearTimeout(timer);
    const part = livePart();
    if (part && part.dataset.live === 'true') {
      timer = setTimeout(refresh, interval);
    }
  }

  async function refresh() {
    const part = livePart();
    if (!part) { return; }
    let text;
    try {
      const response = await fetch(window.location.href, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (!response.ok) { schedule(); return; }
      text = await response.text();
    } catch (e) {
      schedule();
      return;
    }
    const fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('live');
    if (!fresh) { schedule(); return; }
    const open = Array.from(part.querySelectorAll('details[open]'), (d) => d.id).filter(Boolean);
    const focused = document.activeElement && part.contains(document.activeElement) ? document.activeElement.id : '';
    const adopted = document.adoptNode(fresh);
    part.replaceWith(adopted);
    for (const id of open) {
      const d = document.getElementById(id);
      if (d) { d.open = true; }
    }
    if (focused) {
      const f = document.getElementById(focused);
      if (f) { f.focus(); }
    }
    document.dispatchEvent(new CustomEvent('console:updated'));
    schedule();
  }

  document.addEventListener('DOMContentLoaded', schedule);
})();
