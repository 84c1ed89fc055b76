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

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  /* Each result says when, where and on what: the article's date, outlet and topics (its page's Pagefind
   * metadata and filters), in a line before the excerpt. */
  function withMeta(result) {
    var filters = result.filters || {};
    var parts = [];
    if (result.meta && result.meta.date) { parts.push(result.meta.date); }
    if (filters.outlet && filters.outlet.length) { parts.push(filters.outlet.join(", ")); }
    if (filters.topic && filters.topic.length) { parts.push(filters.topic.join(", ")); }
    if (parts.length) {
      result.excerpt = '<span class="digest-result-meta">' + parts.map(escape).join(" · ") + "</span> " +
        (result.excerpt || "");
    }
    return result;
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
        processResult: withMeta,
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
