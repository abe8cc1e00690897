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
 *
 *   The in-place role editor of the Users tab (templates/pages/account/users.templ):
 *   <a data-role-editor-open hx-get=...>        a row's Edit link; htmx swaps the row for the editor
 *   <tr id="user-row-..." data-role-editor>     the editor, with the same id as the row it replaces
 *     [data-role-editor-focus]                  its heading (and its error): focused when it opens
 *     <a data-role-editor-cancel hx-get=...>    its Cancel link; htmx swaps the row back
 *       Opening an editor moves the focus into it and cancels any other open editor (its
 *       unsaved choices are dropped); Escape cancels; when the editor closes (saved or
 *       cancelled) the focus goes back to the row's Edit link.
 *
 *   <details data-menu><summary>…</summary>…</details>
 *       a drop-down menu (the top bar's on phones): closes on a tap or click
 *       outside it, when the focus moves out of it, and on Escape, which
 *       returns the focus to its <summary>. Without JS it still opens and
 *       closes with its button.
 *
 *   <nav class="tabs"> with an <a aria-current="page">
 *       a tab bar that scrolls sideways: the active tab is scrolled into view.
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

  // Role editor rows whose Edit link gets the focus when the row comes back:
  // those the focus was in (or lost to <body>) when they were swapped out.
  const returnFocus = new Set();

  function cancelEditor(editor, quiet) {
    const cancel = editor.querySelector('[data-role-editor-cancel]');
    if (!cancel) {
      return;
    }
    if (quiet) {
      // Closed because another editor opens: that one keeps the focus.
      editor.setAttribute('data-role-editor-quiet', '');
    }
    cancel.click();
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' || e.defaultPrevented || !(e.target instanceof Element)) {
      return;
    }
    const editor = e.target.closest('[data-role-editor]');
    if (editor) {
      e.preventDefault();
      cancelEditor(editor, false);
    }
  });

  document.addEventListener('htmx:beforeRequest', function (e) {
    const elt = e.detail.elt;
    if (!(elt instanceof Element) || !elt.hasAttribute('data-role-editor-open')) {
      return;
    }
    const row = elt.closest('tr');
    document.querySelectorAll('[data-role-editor]').forEach(function (editor) {
      if (editor !== row) {
        cancelEditor(editor, true);
      }
    });
  });

  document.addEventListener('htmx:beforeSwap', function (e) {
    const target = e.detail.target;
    if (!(target instanceof Element) || !target.id || !target.hasAttribute('data-role-editor')) {
      return;
    }
    const active = document.activeElement;
    if (!target.hasAttribute('data-role-editor-quiet') && (!active || active === document.body || target.contains(active))) {
      returnFocus.add(target.id);
    }
  });

  document.addEventListener('htmx:load', function (e) {
    const elt = e.detail.elt;
    if (!(elt instanceof Element) || !elt.id) {
      return;
    }
    if (elt.hasAttribute('data-role-editor')) {
      // Opened, or shown again with a broken rule: its error, else its heading.
      returnFocus.delete(elt.id);
      const first = elt.querySelector('[role=alert][data-role-editor-focus]') || elt.querySelector('[data-role-editor-focus]');
      if (first) {
        first.focus();
      }
    } else if (returnFocus.delete(elt.id)) {
      const edit = elt.querySelector('[data-role-editor-open]');
      if (edit) {
        edit.focus();
      }
    }
  });

  // Drop-down menus (<details data-menu>).
  function openMenus() {
    return document.querySelectorAll('details[data-menu][open]');
  }

  function closeMenusOutside(target) {
    openMenus().forEach(function (menu) {
      if (!(target instanceof Node) || !menu.contains(target)) {
        menu.open = false;
      }
    });
  }

  // pointerdown rather than click: a tap on plain text does not fire a click
  // that reaches document in every mobile browser.
  document.addEventListener('pointerdown', function (e) {
    closeMenusOutside(e.target);
  });

  document.addEventListener('focusin', function (e) {
    closeMenusOutside(e.target);
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' && e.key !== 'Esc') {
      return;
    }
    openMenus().forEach(function (menu) {
      menu.open = false;
      const summary = menu.querySelector('summary');
      if (summary) {
        summary.focus();
      }
    });
  });

  // Tab bars scroll sideways on a narrow screen: bring the active tab into
  // view within its bar, without scrolling the page.
  function showActiveTabs(root) {
    root.querySelectorAll('.tabs').forEach(function (bar) {
      const tab = bar.querySelector('[aria-current="page"]');
      if (!tab || bar.scrollWidth <= bar.clientWidth) {
        return;
      }
      const b = bar.getBoundingClientRect();
      const t = tab.getBoundingClientRect();
      if (t.left < b.left || t.right > b.right) {
        bar.scrollLeft += t.left - b.left - (bar.clientWidth - t.width) / 2;
      }
    });
  }

  // The script is deferred: the document is parsed and styled by now.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () {
      showActiveTabs(document);
    });
  } else {
    showActiveTabs(document);
  }
})();
