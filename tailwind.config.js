/**
 * Tailwind CSS v3 configuration for Tenantdesk.
 *
 * Rebuild: npm run css
 *   (= npx tailwindcss -i static/css/input.css -o static/css/app.css --minify)
 *
 * Palette notes (WCAG AA, measured):
 *   brand-600+ on white / gray-50 : >= 5.6:1  -> use 600/700 for text, links, focus rings in light mode
 *   brand-400- on gray-900/950    : >= 6.2:1  -> use 300/400 for text, links, focus rings in dark mode
 *   white on brand-700            :    7.6:1  -> primary button (light)
 *   gray-950 on brand-400         :    7.1:1  -> primary button (dark)
 *
 * @type {import('tailwindcss').Config}
 */
module.exports = {
  content: [
    './templates/**/*.templ',
    './templates/**/*.go',
    './web/**/*.go',
    // Words in tests ("visible", "block") would otherwise become classes.
    '!./web/**/*_test.go',
    './static/js/app.js',
  ],
  // Light and dark themes follow the operating-system preference.
  darkMode: 'media',
  // The component classes from static/css/input.css are always emitted, even
  // when no scanned file mentions them yet (e.g. class names assembled at
  // runtime in Go, or toggled by htmx such as htmx-request).
  safelist: [
    'app-shell', 'topbar', 'topbar-brand', 'sidenav', 'sidenav-link', 'sidenav-link-active',
    'main', 'page-title', 'page-subtitle',
    'card', 'card-title',
    'field', 'label', 'input', 'field-error', 'hint',
    'btn', 'btn-primary', 'btn-secondary', 'btn-danger', 'btn-link',
    'alert', 'alert-error', 'alert-success', 'alert-info', 'alert-warning',
    'table', 'table-wrap',
    'badge', 'badge-gray', 'badge-green', 'badge-red', 'badge-yellow', 'badge-blue',
    'tabs', 'tab', 'tab-active',
    'banner-impersonation', 'skip-link',
    'htmx-indicator', 'htmx-request', 'spinner',
    'kbd', 'code', 'dl-grid', 'empty-state',
  ],
  theme: {
    extend: {
      colors: {
        // Calm blue/indigo.
        brand: {
          50: '#eef3ff',
          100: '#e0e8fe',
          200: '#c7d4fd',
          300: '#a4b8fb',
          400: '#7f93f6',
          500: '#5f6fee',
          600: '#4a51e2',
          700: '#3c40c7',
          800: '#3337a1',
          900: '#2f347f',
          950: '#1d1f4a',
        },
      },
      fontFamily: {
        sans: [
          'system-ui',
          '-apple-system',
          '"Segoe UI"',
          'Roboto',
          '"Helvetica Neue"',
          '"Noto Sans"',
          'Arial',
          'sans-serif',
          '"Apple Color Emoji"',
          '"Segoe UI Emoji"',
        ],
        mono: [
          'ui-monospace',
          'SFMono-Regular',
          'Menlo',
          'Monaco',
          'Consolas',
          '"Liberation Mono"',
          '"Courier New"',
          'monospace',
        ],
      },
    },
  },
  plugins: [],
};
