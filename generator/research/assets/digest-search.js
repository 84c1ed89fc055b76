/* digest search box: Pagefind's UI, located from this script's own URL.
 * The script lives at <site root>/pagefind/digest-search.js, so the bundle and the site root are known
 * from its src alone: the same build works at a domain root, under a sub-path, and offline.
 * Put <div data-digest-search></div> where the box goes; ?q=words in the page URL starts a search. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var bundle = new URL("./", script.src);
  var root = new URL("../", bundle);

  function addStyle(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function start() {
    var query = new URLSearchParams(window.location.search).get("q");
    var boxes = document.querySelectorAll("[data-digest-search]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (!box.id) { box.id = "digest-search-" + i; }
      box.textContent = "";  /* the note shown until the index loads (a large preview indexes after it opens) */
      var ui = new window.PagefindUI({
        element: "#" + box.id,
        bundlePath: bundle.pathname,
        baseUrl: root.pathname,
        showImages: false,
        showSubResults: true,
        resetStyles: false,
        autofocus: box.hasAttribute("data-autofocus")
      });
      if (query) { ui.triggerSearch(query); }
    }
  }

  if (!document.querySelector("[data-digest-search]")) { return; }
  addStyle(new URL("pagefind-ui.css", bundle).href);
  addStyle(new URL("digest-search.css", bundle).href);
  var ui = document.createElement("script");
  ui.src = new URL("pagefind-ui.js", bundle).href;
  ui.onload = start;
  ui.onerror = function () {  /* no index: a digest with no articles yet has nothing to search */
    var boxes = document.querySelectorAll("[data-digest-search]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].textContent = "Nothing to search yet: this digest has no articles.";
    }
  };
  document.head.appendChild(ui);
})();
