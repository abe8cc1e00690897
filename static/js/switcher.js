/*
 * The account switcher of partner staff (templates/layout/switcher.templ),
 * plain ES2017, CSP-safe, loaded only for them. Without it the switcher is
 * a drop-down with a GET form to /switch; with it:
 *
 *   <details data-switcher>      opening it puts the focus in its search field
 *   [data-switcher] ↓ / ↑         move from the field through the results
 *                                 ([data-switcher-item] links) and back; Enter
 *                                 follows the link the focus is on
 *   Escape                        closes the drop-down (app.js, data-menu)
 *
 * The /switch page's results are a [data-switcher] scope too.
 */
(function () {
  'use strict';

  // toggle does not bubble: listen in the capture phase.
  document.addEventListener('toggle', function (e) {
    const details = e.target;
    if (!(details instanceof HTMLDetailsElement) || !details.hasAttribute('data-switcher') || !details.open) {
      return;
    }
    const field = details.querySelector('input[type="search"]');
    if (field) {
      field.focus();
      field.select();
    }
  }, true);

  document.addEventListener('keydown', function (e) {
    if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.altKey || e.ctrlKey || e.metaKey || !(e.target instanceof Element)) {
      return;
    }
    const scope = e.target.closest('[data-switcher]');
    if (!scope) {
      return;
    }
    const field = scope.querySelector('input[type="search"]');
    const stops = Array.prototype.slice.call(scope.querySelectorAll('[data-switcher-item]'));
    if (field) {
      stops.unshift(field);
    }
    const at = stops.indexOf(document.activeElement);
    if (at < 0 || stops.length < 2) {
      return;
    }
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, stops.length - 1) : Math.max(at - 1, 0);
    e.preventDefault();
    stops[next].focus();
  });
})();
