/* kbc reference site: small enhancements on top of pages that work without script.
   Nothing here loads anything from another site. Files are found relative to this
   script or to the page's data-root, so the site works from any sub-path and file://. */
(function () {
  "use strict";

  var doc = document.documentElement;
  var script = document.currentScript;
  var root = doc.getAttribute("data-root") || "";
  var siteBase = script ? new URL("../", script.src) : new URL(root || "./", location.href);

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* ---- theme ------------------------------------------------------------------- */

  function currentTheme() {
    if (doc.classList.contains("theme-dark")) return "dark";
    if (doc.classList.contains("theme-light")) return "light";
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setTheme(theme) {
    doc.classList.remove("theme-dark", "theme-light");
    doc.classList.add("theme-" + theme);
    try { localStorage.setItem("kbc-theme", theme); } catch (e) { /* private mode */ }
    labelThemeButton();
    drawDiagrams();
  }

  function labelThemeButton() {
    var button = document.getElementById("kbc-theme-toggle");
    if (!button) return;
    var next = currentTheme() === "dark" ? "light" : "dark";
    button.setAttribute("aria-label", "Switch to the " + next + " theme");
    button.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
  }

  function initTheme() {
    var button = document.getElementById("kbc-theme-toggle");
    if (!button) return;
    labelThemeButton();
    button.addEventListener("click", function () {
      setTheme(currentTheme() === "dark" ? "light" : "dark");
    });
  }

  /* ---- diagrams ------------------------------------------------------------------ */
  /* A <pre class="diagram"> holds a Mermaid diagram's source (Obsidian pages). The
     library is large, so it is loaded only on pages that have one. Until it has drawn
     them, and where a source does not parse, the source stays as written. */

  var diagrams = [];

  function initDiagrams() {
    diagrams = Array.prototype.slice.call(document.querySelectorAll("pre.diagram"));
    if (!diagrams.length) return;
    diagrams.forEach(function (pre) { pre.kbcSource = pre.textContent; });
    var loader = document.createElement("script");
    loader.src = new URL("static/mermaid.min.js", siteBase).href;
    loader.onload = drawDiagrams;
    document.head.appendChild(loader);
    if (window.matchMedia) {
      matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawDiagrams);
    }
  }

  /* Draws every diagram in the current theme's colours, one after another (Mermaid
     renders one at a time). Called again when the theme changes. */
  function drawDiagrams() {
    var mermaid = window.mermaid;
    if (!mermaid || !diagrams.length) return;
    var theme = currentTheme();
    // The dark theme's edge labels are #ccc on #585858 (4.4:1): a darker ground passes 4.5:1.
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true,
      theme: theme === "dark" ? "dark" : "default",
      themeVariables: theme === "dark" ? { edgeLabelBackground: "#474747" } : {} });
    diagrams.reduce(function (previous, pre, index) {
      return previous.then(function () {
        return mermaid.render("kbc-diagram-" + index, pre.kbcSource).then(function (result) {
          pre.innerHTML = result.svg;
          pre.setAttribute("data-theme", theme);  // for print, which is always light
          pre.classList.add("diagram-drawn");
          pre.classList.remove("diagram-error");
          pre.removeAttribute("title");
        }, function (error) {
          pre.textContent = pre.kbcSource;
          pre.classList.remove("diagram-drawn");
          pre.classList.add("diagram-error");
          pre.title = "Mermaid could not draw this diagram: " + ((error && error.message) || error);
        });
      });
    }, Promise.resolve());
  }

  /* ---- navigation drawer (small screens) -------------------------------------- */

  /* The drawer opens below the top bar, so its toggle stays at hand. Opening it puts
     the focus on its first link; closing it (the toggle, Escape, the scrim) puts the
     focus back on the toggle when it was in the drawer. The focus leaving the drawer
     for the page beneath closes it. */
  function initNav() {
    var toggle = document.getElementById("kbc-nav-toggle");
    var scrim = document.getElementById("kbc-scrim");
    var sidebar = document.getElementById("kbc-sidebar");
    if (!toggle || !sidebar) return;
    function isOpen() { return doc.classList.contains("nav-open"); }
    function set(open, refocus) {
      var inside = sidebar.contains(document.activeElement);
      doc.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.setAttribute("aria-label", open ? "Hide navigation" : "Show navigation");
      if (scrim) scrim.hidden = !open;
      if (open) {
        var first = sidebar.querySelector("a[href]");
        if (first) first.focus();  // visibility: visible applies at once, before the slide
      } else if (refocus || inside) {
        toggle.focus();
      }
    }
    toggle.addEventListener("click", function () { set(!isOpen(), true); });
    if (scrim) scrim.addEventListener("click", function () { set(false, true); });
    document.addEventListener("keydown", function (event) {
      // The search's own Escape (it closes its panel) leaves the drawer as it is.
      if (event.key === "Escape" && isOpen() && !event.defaultPrevented) set(false, false);
    });
    sidebar.addEventListener("focusout", function (event) {
      var to = event.relatedTarget;
      if (isOpen() && to && !sidebar.contains(to) && !to.closest(".topbar")) set(false, false);
    });
  }

  /* ---- outline folding ------------------------------------------------------------ */

  function initOutlines() {
    document.addEventListener("click", function (event) {
      var bullet = event.target.closest && event.target.closest("button.bullet");
      if (!bullet) return;
      var block = bullet.closest("li.block");
      var folded = block.classList.toggle("collapsed");
      bullet.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    // A link to a block inside a folded block: unfold its ancestors first.
    function reveal() {
      if (!location.hash) return;
      var target;
      try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); }
      catch (e) { return; }
      if (!target) return;
      for (var node = target.parentElement; node; node = node.parentElement) {
        if (node.classList && node.classList.contains("collapsed")) {
          node.classList.remove("collapsed");
          var button = node.querySelector(":scope > .block-row > button.bullet");
          if (button) button.setAttribute("aria-expanded", "true");
        }
      }
      target.classList.add("target-flash");
    }
    window.addEventListener("hashchange", reveal);
    reveal();
  }

  /* ---- table of contents: mark the section in view -------------------------------- */

  function initToc() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".toc a"));
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    links.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        links.forEach(function (a) { a.classList.remove("active"); });
        var link = byId[entry.target.id];
        if (link) link.classList.add("active");
      });
    }, { rootMargin: "-10% 0px -75% 0px" });
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  }

  /* ---- search (pagefind) -------------------------------------------------------------- */

  /* The search box is an ARIA 1.2 combobox: the input keeps the focus while the arrow
     keys move through the results (aria-activedescendant), and aria-expanded says
     whether the list is shown. The panel holds the listbox, or a note when there is
     nothing to choose; a live region says how many pages were found. The panel closes
     when the focus leaves the search (it covered what the focus went to), on Escape
     (the focus goes back to the input, where it was), and on a click elsewhere. */
  function initSearch() {
    var widget = document.getElementById("kbc-search");
    var input = document.getElementById("kbc-search-input");
    var panel = document.getElementById("kbc-search-panel");
    var list = document.getElementById("kbc-search-results");
    var status = document.getElementById("kbc-search-status");
    if (!widget || !input || !panel || !list) return;
    var pagefind = null;
    var loading = null;
    var selected = -1;
    var latest = 0;

    // The index comes in shards (one pagefind bundle each, listed in shards.json): the
    // first is loaded, the others merged into it. Each gives its URLs from "/" so that
    // pageUrl resolves them against the site's own base: pagefind would otherwise put
    // the path it was loaded from in front (once more, under a sub-path like /docs/kb/).
    function load() {
      if (!loading) {
        var base = new URL("pagefind/", siteBase).href;
        loading = fetch(base + "shards.json").then(function (response) {
          if (!response.ok) throw new Error("no search index");
          return response.json();
        }).then(function (shards) {
          var bundles = shards.bundles || [];
          if (!bundles.length) throw new Error("empty search index");
          return import(base + bundles[0] + "pagefind.js").then(function (module) {
            pagefind = module;
            return module.options({ excerptLength: 22, baseUrl: "/" }).then(function () {
              return Promise.all(bundles.slice(1).map(function (bundle) {
                return module.mergeIndex(base + bundle, { baseUrl: "/" });
              }));
            }).then(function () { return module; });
          });
        });
      }
      return loading;
    }

    function announce(text) {
      if (status) status.textContent = text;
    }

    function clearChoice() {
      selected = -1;
      input.removeAttribute("aria-activedescendant");
    }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      var chosen = list.querySelector('[aria-selected="true"]');
      if (chosen) chosen.removeAttribute("aria-selected");
      clearChoice();
    }

    function clearNote() {
      var old = panel.querySelector(".search-note");
      if (old) old.remove();
    }

    // A message in the panel instead of results: the listbox is hidden (it has no
    // option), so the combobox is not expanded; the live region reads the message.
    function note(text) {
      clearNote();
      list.innerHTML = "";
      list.hidden = true;
      clearChoice();
      var p = document.createElement("p");
      p.className = "search-note";
      p.textContent = text;
      panel.appendChild(p);
      panel.hidden = false;
      input.setAttribute("aria-expanded", "false");
      announce(text);
    }

    function pageUrl(url) {
      return new URL(url.replace(/^\/+/, ""), siteBase).href;
    }

    function show(results, total) {
      if (!results.length) { note("No page matches."); return; }
      clearNote();
      list.innerHTML = "";
      clearChoice();
      results.forEach(function (data, index) {
        var a = document.createElement("a");
        a.href = pageUrl(data.url);
        a.setAttribute("role", "option");
        a.id = "kbc-result-" + index;
        var title = document.createElement("span");
        title.className = "result-title";
        title.textContent = (data.meta && data.meta.title) || data.url;
        var excerpt = document.createElement("span");
        excerpt.className = "result-excerpt";
        // Keep pagefind's <mark> tags and nothing else.
        excerpt.innerHTML = String(data.excerpt || "").replace(/<(?!\/?mark>)[^>]*>/g, "");
        a.appendChild(title);
        a.appendChild(excerpt);
        list.appendChild(a);
      });
      list.hidden = false;
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(total === 1 ? "1 page matches." : total > results.length
        ? total + " pages match; the first " + results.length + " are listed."
        : total + " pages match.");
    }

    function run() {
      var query = input.value.trim();
      var ticket = ++latest;
      if (!query) { close(); announce(""); return; }
      var total = 0;
      load().then(function (module) {
        return module.debouncedSearch(query, {}, 120);
      }).then(function (search) {
        if (!search || ticket !== latest) return null;
        total = search.results.length;
        return Promise.all(search.results.slice(0, 8).map(function (r) { return r.data(); }));
      }).then(function (results) {
        if (results && ticket === latest) show(results, total);
      }).catch(function () {
        loading = null;
        note(location.protocol === "file:"
          ? "Search needs the site served over HTTP (for example: kbc serve, or python -m http.server in the site folder)."
          : "Search is not available for this site.");
      });
    }

    function move(step) {
      var options = list.querySelectorAll("a");
      if (!options.length) return;
      if (panel.hidden) {  // closed by Escape: the arrow keys open it again
        panel.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      if (selected >= 0) options[selected].removeAttribute("aria-selected");
      selected = (selected + step + options.length) % options.length;
      options[selected].setAttribute("aria-selected", "true");
      options[selected].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[selected].id);
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function (event) {
      load().catch(function () {});
      // Coming back from a result (Escape) is not a new search: the panel stays closed.
      if (input.value && !(event.relatedTarget && widget.contains(event.relatedTarget))) run();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && !panel.hidden) {
        var options = list.querySelectorAll("a");
        var choice = options[selected >= 0 ? selected : 0];
        if (choice) { event.preventDefault(); location.href = choice.href; }
      }
    });
    // Escape in the input or on a result: the panel closes and the focus is (back) in
    // the input. With the panel closed, Escape is left to the browser (which empties
    // a search box).
    widget.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || panel.hidden) return;
      event.preventDefault();
      close();
      if (document.activeElement !== input) input.focus();
    });
    // Tab from the input or the last result to the page: the open panel would hide
    // what got the focus. (No relatedTarget: a click, which the handler below sees.)
    widget.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !widget.contains(event.relatedTarget)) close();
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!panel.hidden && !event.target.closest("#kbc-search")) close();
    });
  }

  /* ---- hover previews ------------------------------------------------------------- */

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  function initPreviews() {
    var box = document.getElementById("kbc-preview");
    var shards = parseInt(doc.getAttribute("data-previews") || "0", 10);
    if (!box || !shards || !window.TextEncoder) return;
    var data = {};
    var requested = {};
    var timer = null;    // the box to show, after a wait
    var leaving = null;  // the box to hide, after a wait
    var current = null;  // { link, slug } of the box shown
    window.kbcPreviews = function (entries) {
      Object.keys(entries).forEach(function (slug) { data[slug] = entries[slug]; });
      if (current) render(current);
    };

    // The slug of a page of this site the link leads to: a file directly in the
    // site's folder. A link elsewhere may end in a page's name too: to another site
    // (every one is "the same origin" from file://), or to another folder of this
    // origin (GitHub Pages project sites share user.github.io).
    function slugOf(link) {
      var url = new URL(link.getAttribute("href"), location.href);
      if (url.protocol !== siteBase.protocol || url.host !== siteBase.host ||
          url.pathname.indexOf(siteBase.pathname) !== 0) return null;
      var name = url.pathname.slice(siteBase.pathname.length);
      if (!/^[^/]+\.html$/.test(name)) return null;
      try { return decodeURIComponent(name.slice(0, -5)); } catch (e) { return null; }
    }

    function request(slug) {
      var shard = fnv1a(slug) % shards;
      if (requested[shard]) return;
      requested[shard] = true;
      var tag = document.createElement("script");
      tag.src = new URL("previews/" + shard + ".js", siteBase).href;
      document.head.appendChild(tag);
    }

    function render(state) {
      var entry = data[state.slug];
      if (!entry) return;
      box.innerHTML = "";
      var title = document.createElement("p");
      title.className = "preview-title";
      title.textContent = (entry[1] ? entry[1] + " " : "") + entry[0];
      if (entry[2]) {
        var badge = document.createElement("span");
        badge.className = "badge badge-type preview-type";
        badge.textContent = entry[2];
        title.appendChild(badge);
      }
      var text = document.createElement("p");
      text.className = "preview-text";
      text.textContent = entry[3] || "";
      box.appendChild(title);
      if (entry[3]) box.appendChild(text);
      var rect = state.link.getBoundingClientRect();
      box.hidden = false;
      var top = rect.bottom + 8;
      if (top + box.offsetHeight > window.innerHeight - 8) top = rect.top - box.offsetHeight - 8;
      var left = Math.min(Math.max(8, rect.left), window.innerWidth - box.offsetWidth - 8);
      box.style.top = Math.max(8, top) + "px";
      box.style.left = left + "px";
    }

    // The link the box describes (aria-describedby, added to any the link had).
    function describe(link, on) {
      var ids = (link.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== box.id;
      });
      if (on) ids.push(box.id);
      if (ids.length) link.setAttribute("aria-describedby", ids.join(" "));
      else link.removeAttribute("aria-describedby");
    }

    function hide() {
      clearTimeout(timer);
      clearTimeout(leaving);
      if (current) describe(current.link, false);
      current = null;
      box.hidden = true;
    }

    function previewable(target) {
      var link = target && target.closest && target.closest("a[href]");
      if (!link || link.closest(".preview, .topbar, .nav-sections, .search-results") ||
          link.getAttribute("href").charAt(0) === "#") return null;
      return link;
    }

    // WCAG 1.4.13, content on hover or focus: the box shows for the pointer and for the
    // keyboard focus, after a short wait (a pointer crossing a paragraph of links, or
    // Tab going through them, should not flash a box at each). It stays while the
    // pointer moves from the link onto it (the wait in leave() covers the gap between
    // them), and Escape dismisses it.
    function schedule(link) {
      if (link === (current && current.link)) { clearTimeout(leaving); return; }
      var slug = slugOf(link);
      if (!slug) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (current) describe(current.link, false);
        current = { link: link, slug: slug };
        describe(link, true);
        request(slug);
        render(current);
      }, 280);
    }

    function leave() {
      clearTimeout(timer);
      clearTimeout(leaving);
      if (current) leaving = setTimeout(hide, 300);
    }

    document.addEventListener("mouseover", function (event) {
      var link = previewable(event.target);
      if (link) schedule(link);
    });
    document.addEventListener("mouseout", function (event) {
      var link = previewable(event.target);
      var to = event.relatedTarget;
      if (link && !(to && (link.contains(to) || box.contains(to)))) leave();
    });
    box.addEventListener("mouseenter", function () { clearTimeout(leaving); });
    box.addEventListener("mouseleave", function (event) {
      var to = event.relatedTarget;
      if (!(current && to && current.link.contains(to))) leave();
    });
    document.addEventListener("focusin", function (event) {
      var link = previewable(event.target);
      if (link) schedule(link);
    });
    document.addEventListener("focusout", function (event) {
      var link = previewable(event.target);
      if (!link) return;
      clearTimeout(timer);
      if (current && current.link === link) hide();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
    });
    // A scroll moves the link away from its box: the box goes. One still to come (the
    // focus scrolled its link into view) is drawn where the link now is.
    window.addEventListener("scroll", function () {
      if (!current) return;
      describe(current.link, false);
      clearTimeout(leaving);
      current = null;
      box.hidden = true;
    }, { passive: true });
  }

  /* ---- graph: zoom and pan ------------------------------------------------------------ */

  function initGraph() {
    var frame = document.getElementById("kbc-graph");
    var svg = frame && frame.querySelector("svg");
    if (!svg) return;
    var box = svg.viewBox.baseVal;
    var view = { x: box.x, y: box.y, w: box.width, h: box.height };
    var full = { x: box.x, y: box.y, w: box.width, h: box.height };
    function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
    function point(event) {
      var rect = svg.getBoundingClientRect();
      return { x: view.x + (event.clientX - rect.left) / rect.width * view.w,
               y: view.y + (event.clientY - rect.top) / rect.height * view.h };
    }
    frame.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = point(event);
      var factor = Math.exp(event.deltaY * 0.0015);
      var w = Math.min(full.w * 2, Math.max(full.w / 12, view.w * factor));
      var scale = w / view.w;
      view.x = at.x - (at.x - view.x) * scale;
      view.y = at.y - (at.y - view.y) * scale;
      view.w = w;
      view.h = view.h * scale;
      apply();
    }, { passive: false });
    var drag = null;
    frame.addEventListener("pointerdown", function (event) {
      if (event.target.closest("a")) return;
      drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      view.x = drag.vx - (event.clientX - drag.x) / rect.width * view.w;
      view.y = drag.vy - (event.clientY - drag.y) / rect.height * view.h;
      apply();
    });
    frame.addEventListener("pointerup", function () { drag = null; });
    frame.addEventListener("dblclick", function () {
      view = { x: full.x, y: full.y, w: full.w, h: full.h };
      apply();
    });
  }

  /* ---- print: folded content ------------------------------------------------------- */
  /* The print stylesheet shows what a closed <details> holds through ::details-content;
     a browser without it gets them opened for the printout and closed again after. */

  function initPrint() {
    if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) return;
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = Array.prototype.slice.call(document.querySelectorAll(".main details:not([open])"));
      opened.forEach(function (details) { details.open = true; });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (details) { details.open = false; });
      opened = [];
    });
  }

  /* ---- live reload (kbc serve only) ---------------------------------------------- */

  function initReload() {
    if (doc.getAttribute("data-serve") !== "1" || location.protocol === "file:") return;
    var url = new URL("kbc-reload.txt", siteBase).href;
    // The build this page came from, as the server marked it: a build that finished
    // while the page loaded is then seen at the first look, not missed.
    var known = doc.getAttribute("data-build");
    function look() {
      fetch(url, { cache: "no-store" }).then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (text === null) return;
          text = text.trim();
          if (known !== null && text !== known) location.reload();
          known = text;
        }).catch(function () { /* server restarting */ });
    }
    look();
    setInterval(look, 1000);
  }

  // The 404 page, built with a base URL, has a <base> element (it is served at any
  // path): "#kbc-main" would then lead to the home page, not into this page.
  function initFragmentLinks() {
    if (!document.querySelector("base[href]")) return;
    document.querySelectorAll('a[href^="#"]').forEach(function (a) {
      a.href = location.pathname + location.search + a.getAttribute("href");
    });
  }

  ready(function () {
    initFragmentLinks();
    initTheme();
    initDiagrams();
    initNav();
    initOutlines();
    initToc();
    initSearch();
    initPreviews();
    initGraph();
    initPrint();
    initReload();
  });
})();
