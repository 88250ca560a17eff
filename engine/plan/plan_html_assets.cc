#include "engine/plan/plan_html_assets.h"

namespace paiplan::plan {

const char* const kPlanPageCss = R"CSS(
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 80em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table.summary { border-collapse: collapse; }
table.summary th, table.summary td { border: 1px solid #ccc; padding: .2em .8em; text-align: right; }
table.summary th:first-child { text-align: left; }
.note { border-left: 4px solid #e0b000; background: #fff8e0; padding: .3em .8em; margin: .4em 0; }
.note.error { border-color: #c00; background: #fde8e8; }
#graph svg { max-width: 100%; height: auto; }
#graph g.node a:focus polygon, #graph g.node a:hover path { stroke-width: 2; }
#graph g.node.dimmed { opacity: .2; }
[hidden] { display: none !important; }
#filters { margin: .5em 0 1em; display: flex; gap: 1em; flex-wrap: wrap; align-items: center; }
details.action { border: 1px solid #ddd; border-radius: 4px; margin: .4em 0; padding: .2em .6em; }
details.action:target { outline: 2px solid #4a7fd0; }
details.action > summary { cursor: pointer; }
.badge { display: inline-block; min-width: 5.5em; font: 12px monospace; padding: 0 .4em; border-radius: 3px; }
.badge.create { background: #c8f0c8; } .badge.update { background: #fbeeb8; }
.badge.replace { background: #e8c8f0; } .badge.delete { background: #f8c8c8; }
pre.diff { background: #f7f7f7; padding: .5em; overflow-x: auto; font-size: 12px; }
pre.diff .add { background: #dcf5dc; color: #064; display: block; }
pre.diff .del { background: #fadcdc; color: #900; display: block; }
pre.diff .hunk { color: #36c; display: block; }
pre.diff .hdr { color: #777; display: block; }
pre.diff .ctx { display: block; }
)CSS";

const char* const kPlanPageJs = R"JS(
(function () {
  var form = document.getElementById('filters');
  var sections = Array.prototype.slice.call(document.querySelectorAll('details.action'));
  var fields = ['kind', 'action', 'service'];
  function value(f) { return document.getElementById('filter-' + f).value; }
  function apply() {
    var shown = 0;
    sections.forEach(function (s) {
      var ok = fields.every(function (f) { var v = value(f); return v === '' || s.dataset[f] === v; });
      s.hidden = !ok;
      if (ok) shown++;
      var node = document.getElementById('n-' + s.id);
      if (node) node.classList.toggle('dimmed', !ok);
    });
    document.getElementById('shown-count').textContent = shown + ' of ' + sections.length + ' actions shown';
  }
  function openTarget(id) {
    var s = document.getElementById(id);
    if (!s || s.tagName !== 'DETAILS') return;
    s.hidden = false;
    s.open = true;
    s.scrollIntoView();
  }
  if (form) {
    form.hidden = false;
    var q = new URLSearchParams(location.search);
    fields.forEach(function (f) {
      var el = document.getElementById('filter-' + f);
      if (q.has(f)) el.value = q.get(f);
      el.addEventListener('change', apply);
    });
    apply();
  }
  document.querySelectorAll('#graph g.node a').forEach(function (a) {
    a.addEventListener('click', function () {
      var href = a.getAttribute('xlink:href') || a.getAttribute('href') || '';
      openTarget(href.replace(/^#/, ''));
    });
  });
  window.addEventListener('hashchange', function () { openTarget(location.hash.slice(1)); });
  if (location.hash) openTarget(location.hash.slice(1));
})();
)JS";

}  // namespace paiplan::plan
