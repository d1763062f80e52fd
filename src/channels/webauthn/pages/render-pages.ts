// The customer pages under /c/webauthn/ as HTML strings: no inline script or style (the CSP allows
// only files served by stepup), every value escaped. Page scripts read what they need from data-*
// attributes.
import type { ChallengeRecord } from '../../../challenges/challenge-record.ts';
import { amountWords } from '../../../language/amount-words.ts';
import { message, pageLanguage, transactionTypeName, type MessageId, type PageLanguage } from './page-messages.ts';

/** Strict CSP of the customer pages: same-origin files only, nothing inline, no framing. */
export const pageContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export const pageHeaders = { 'content-security-policy': pageContentSecurityPolicy, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const dataAttributes = (language: PageLanguage, ids: MessageId[]) => ids.map((id) => `data-msg-${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(message(language, id))}"`).join(' ');

function layout(language: PageLanguage, title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/c/webauthn/assets/page.css">
${script ? ['simplewebauthn-browser.js', 'page-common.js', script].map((file) => `<script src="/c/webauthn/assets/${file}" defer></script>`).join('\n') : ''}
</head>
${body}
</html>
`;
}

export function registrationPage(locale: string, bankName: string): string {
  const language = pageLanguage(locale);
  const t = (id: MessageId) => escapeHtml(message(language, id));
  return layout(
    language,
    message(language, 'registerTitle'),
    `<body ${dataAttributes(language, ['registered', 'registerFailed', 'linkGone'])}>
<main>
<p class="bank">${escapeHtml(bankName)}</p>
<h1>${t('registerTitle')}</h1>
<p>${t('registerIntro')}</p>
<button id="register" type="button">${t('registerButton')}</button>
<p id="status" role="status" aria-live="polite"></p>
</main>
</body>`,
    'register.js',
  );
}

export function confirmationPage(challenge: ChallengeRecord, bankName: string): string {
  const language = pageLanguage(challenge.locale);
  const t = (id: MessageId) => escapeHtml(message(language, id));
  const { transaction } = challenge;
  const rows: [MessageId, string, string?][] = [
    ['bank', bankName],
    ['type', transactionTypeName(language, transaction.type)],
  ];
  if (transaction.payee) {
    rows.push(['payeeName', transaction.payee.name, 'payee-name']);
    if (transaction.payee.bank) rows.push(['payeeBank', transaction.payee.bank, 'payee-bank']);
    // The full account: what the customer checks against what they meant to pay.
    rows.push(['payeeAccount', transaction.payee.account, 'payee-account']);
  }
  if (transaction.amount && transaction.amountMinor !== undefined) {
    rows.push(['amount', amountFigures(transaction.amount, challenge.locale), 'amount']);
    rows.push(['amountWords', amountWords({ amountMinor: transaction.amountMinor, currency: transaction.amount.currency, locale: language }), 'amount-words']);
  }
  rows.push(['reference', transaction.reference]);
  const table = rows.map(([label, value, id]) => `<tr><th scope="row">${t(label)}</th><td${id ? ` id="${id}"` : ''}>${escapeHtml(value)}</td></tr>`).join('\n');
  return layout(
    language,
    message(language, 'confirmTitle'),
    `<body ${dataAttributes(language, ['approved', 'rejected', 'failed', 'denied', 'ended', 'holdIntro', 'holdStopped', 'holdStopClosed'])}>
<main>
<h1>${t('confirmTitle')}</h1>
<p>${t('confirmIntro')}</p>
<table>
${table}
</table>
<fieldset id="coached">
<legend>${t('coachedQuestion')}</legend>
<label><input type="radio" name="coached" value="yes" id="coached-yes"> ${t('coachedYes')}</label>
<label><input type="radio" name="coached" value="no" id="coached-no"> ${t('coachedNo')}</label>
</fieldset>
<p id="coached-warning" class="warning" role="alert" hidden>${t('coachedWarning')}</p>
<div class="actions">
<button id="confirm" type="button" disabled>${t('confirmButton')}</button>
<button id="reject" type="button" class="secondary">${t('rejectButton')}</button>
</div>
<p id="status" role="status" aria-live="polite"></p>
<section id="hold-stop" hidden>
<p id="hold-intro"></p>
<button id="stop-transfer" type="button" class="danger">${t('holdStopButton')}</button>
<p id="hold-status" role="status" aria-live="polite"></p>
</section>
</main>
</body>`,
    'confirm.js',
  );
}

/** 410 and 404 pages: a sentence, no script. */
export function endedPage(locale: string, id: 'ended' | 'linkGone'): string {
  const language = pageLanguage(locale);
  return layout(language, message(language, id), `<body>\n<main>\n<p id="status">${escapeHtml(message(language, id))}</p>\n</main>\n</body>`);
}

function amountFigures(amount: { value: string; currency: string }, locale: string): string {
  // Intl formats the decimal string exactly (no float rounding).
  const format = new Intl.NumberFormat(pageLanguage(locale) === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency: amount.currency, currencyDisplay: 'code' });
  return format.format(amount.value as unknown as number);
}
