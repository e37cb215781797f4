// Reloads a status page (a pack being laid out, an upload being loaded) every data-seconds seconds.
// A script rather than <meta http-equiv="refresh">: axe-core flags meta refresh (WCAG 2.2.1), and the
// script stops while the page is hidden and once the reader starts using the page (a focused field).
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Number(script && script.dataset.seconds) || 10;
  function reload() {
    var active = document.activeElement;
    var busy = active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    if (document.hidden || busy) {
      window.setTimeout(reload, seconds * 1000);
    } else {
      window.location.reload();
    }
  }
  window.setTimeout(reload, seconds * 1000);
})();
