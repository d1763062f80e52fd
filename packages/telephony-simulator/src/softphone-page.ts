// GET /sim/phone: a softphone for the simulated callee. Inline HTML; its script and style are
// served from the same origin (/sim/phone.js, /sim/phone.css) so the page runs under a strict CSP.
// Stable hooks for browser tests: data-testid = number-input, follow-latest, call-select,
// call-status (also data-status), call-sid, call-to, answered-by, transcript (li: transcript-line,
// data-kind, lang), prompt, awaiting-digits (data-awaiting), entered-digits, submit-countdown
// (data-seconds), key-0 … key-9, key-*, key-#, hangup, speak-toggle, notice, font-notice
// (data-missing), connection. Query: ?to={e164} filters, ?sid={CA…} opens one call.
import express, { type Router } from 'express';
import { softphoneScript } from './softphone-script.ts';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
const keyIds: Record<string, string> = { '*': 'star', '#': 'hash' };

const keypad = keys
  .map((key) => `<button type="button" class="key" id="key-${keyIds[key] ?? key}" data-key="${key}" data-testid="key-${key}">${key}</button>`)
  .join('\n        ');

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>stepup softphone (telephony simulator)</title>
  <link rel="stylesheet" href="/sim/phone.css">
</head>
<body>
  <main class="phone">
    <header>
      <h1>Softphone</h1>
      <span id="connection" data-testid="connection">connecting…</span>
    </header>
    <section class="pick">
      <label>Number <input id="number" data-testid="number-input" placeholder="+8223123456 (any)" autocomplete="off"></label>
      <label class="inline"><input type="checkbox" id="follow" data-testid="follow-latest" checked> follow newest call</label>
      <label>Call <select id="call-select" data-testid="call-select"></select></label>
    </section>
    <section class="status">
      <div><span class="label">Status</span> <strong id="call-status" data-testid="call-status" data-status="idle">idle</strong></div>
      <div><span class="label">To</span> <span id="call-to" data-testid="call-to"></span></div>
      <div><span class="label">Answered by</span> <span id="answered-by" data-testid="answered-by"></span></div>
      <div class="sid"><span class="label">Call</span> <code id="call-sid" data-testid="call-sid"></code></div>
    </section>
    <ol id="transcript" class="transcript" data-testid="transcript" aria-live="polite"></ol>
    <section class="gather">
      <div id="awaiting-digits" data-testid="awaiting-digits" data-awaiting="false"></div>
      <div id="prompt" data-testid="prompt"></div>
      <output id="entered-digits" data-testid="entered-digits"></output>
      <div id="submit-countdown" data-testid="submit-countdown" aria-live="polite"></div>
    </section>
    <div class="keypad" role="group" aria-label="keypad">
        ${keypad}
    </div>
    <div class="actions">
      <button type="button" id="hangup" data-testid="hangup" class="hangup" disabled>Hang up</button>
      <label class="inline"><input type="checkbox" id="speak" data-testid="speak-toggle" checked> speak</label>
    </div>
    <p id="notice" data-testid="notice" role="status"></p>
    <p id="font-notice" data-testid="font-notice" data-missing="false" hidden>
      Korean text shows as empty boxes: this machine has no Korean (CJK) font. Install one with
      <code>sudo apt-get install -y fonts-noto-cjk</code>, then restart the browser.
    </p>
  </main>
  <script src="/sim/phone.js"></script>
</body>
</html>
`;

const style = `
:root { font-family: system-ui, sans-serif; color-scheme: light dark; }
body { margin: 0; display: flex; justify-content: center; }
.phone { width: min(420px, 100%); padding: 1rem; display: flex; flex-direction: column; gap: .75rem; }
header { display: flex; justify-content: space-between; align-items: baseline; }
h1 { font-size: 1.25rem; margin: 0; }
#connection { font-size: .8rem; opacity: .7; }
.pick, .status { display: grid; gap: .4rem; }
.pick label { display: grid; gap: .2rem; font-size: .85rem; }
.pick label.inline, .actions label.inline { display: flex; gap: .4rem; align-items: center; }
input, select { font: inherit; padding: .35rem; }
.label { font-size: .75rem; opacity: .7; text-transform: uppercase; }
.sid code { font-size: .75rem; }
.transcript { min-height: 8rem; max-height: 16rem; overflow-y: auto; margin: 0; padding: .5rem .5rem .5rem 1.75rem;
  border: 1px solid #8884; border-radius: .5rem; }
.transcript li { margin: .2rem 0; }
.transcript li[data-kind="play"], .transcript li[data-kind="hangup"], .transcript li[data-kind="error"] { opacity: .7; font-style: italic; }
.transcript li[data-kind="digits"] { color: #2a7; }
.gather { min-height: 3.5rem; }
#awaiting-digits { font-size: .8rem; color: #2a7; }
#prompt { font-weight: 600; }
#entered-digits { font-family: ui-monospace, monospace; font-size: 1.4rem; letter-spacing: .2rem; }
.keypad { display: grid; grid-template-columns: repeat(3, 1fr); gap: .5rem; }
.key { font-size: 1.5rem; padding: .8rem 0; border-radius: .75rem; border: 1px solid #8886; cursor: pointer; }
.key:active { transform: scale(.97); }
.actions { display: flex; justify-content: space-between; align-items: center; }
.hangup { background: #d33; color: white; border: 0; border-radius: 2rem; padding: .7rem 1.5rem; font-size: 1rem; cursor: pointer; }
.hangup:disabled { opacity: .4; cursor: default; }
#submit-countdown { font-size: .85rem; color: #2a7; min-height: 1.1rem; }
#font-notice { font-size: .85rem; color: #c60; margin: 0; border: 1px solid #c604; border-radius: .5rem; padding: .5rem; }
#notice { min-height: 1.2rem; font-size: .85rem; color: #c60; margin: 0; }
`;

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function softphoneRoutes(): Router {
  const router = express.Router();
  router.get('/sim/phone', (_req, res) => {
    res.set('Content-Security-Policy', csp).set('Cache-Control', 'no-store').type('html').send(page);
  });
  router.get('/sim/phone.js', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/javascript').send(softphoneScript);
  });
  // Browsers ask for it; an empty answer keeps their consoles clean.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  router.get('/sim/phone.css', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/css').send(style);
  });
  return router;
}
