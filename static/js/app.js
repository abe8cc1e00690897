/*
 * Tenantdesk client helpers (plain ES2017). CSP-safe: no eval, no inline
 * handlers, no injected styles; loaded as an external script. Uses event
 * delegation on document, so it also covers content swapped in by htmx.
 *
 *   <form data-confirm="Delete this user?">
 *       native confirm() before a plain (non-htmx) submit; Cancel aborts it.
 *
 *   <button type="button" data-copy-target="some-id" data-copied-label="Copied">
 *       copies the text of #some-id to the clipboard and shows the label for 2 s.
 */
(function () {
  'use strict';

  document.addEventListener('submit', function (e) {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) {
      return;
    }
    if (!window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  });

  const timers = new WeakMap();
  const originals = new WeakMap();

  document.addEventListener('click', function (e) {
    const btn = e.target instanceof Element ? e.target.closest('[data-copy-target]') : null;
    if (!btn) {
      return;
    }
    const source = document.getElementById(btn.dataset.copyTarget);
    if (!source || !navigator.clipboard) {
      return;
    }
    e.preventDefault();
    const isField = source instanceof HTMLInputElement || source instanceof HTMLTextAreaElement;
    const text = (isField ? source.value : source.textContent).trim();
    navigator.clipboard.writeText(text).then(function () {
      const label = btn.dataset.copiedLabel;
      if (!label) {
        return;
      }
      if (!originals.has(btn)) {
        originals.set(btn, btn.textContent);
      }
      btn.textContent = label;
      clearTimeout(timers.get(btn));
      timers.set(btn, setTimeout(function () {
        btn.textContent = originals.get(btn);
        originals.delete(btn);
        timers.delete(btn);
      }, 2000));
    }, function () {
      // Clipboard refused (insecure context or no permission): leave the button unchanged.
    });
  });
})();
