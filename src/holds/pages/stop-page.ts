// The stop page under /c/hold/ (docs/holds.md, "Stopping") as an HTML string: the transfer in full and
// "Stop this transfer" as a plain form (no script), every value escaped. Its CSP allows only
// same-origin styles and a same-origin form post; nothing can frame it.
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import { amountWords } from '../../language/amount-words.ts';

export const stopPageHeaders = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

type Language = 'ko' | 'en';
const messages = {
  ko: {
    title: '이체 중지',
    intro: '아래 이체가 승인되어 보내기 전에 보류 중입니다.',
    warning: '은행, 검찰, 경찰, 수사기관은 절대로 돈을 옮기라고 요구하지 않습니다. 본인이 하지 않은 이체이거나 누군가 전화로 시켜서 한 이체라면 지금 중지하십시오.',
    bank: '은행',
    payeeName: '받는 분',
    payeeBank: '받는 분 은행',
    payeeAccount: '받는 분 계좌번호',
    amount: '금액',
    amountWords: '금액 (한글)',
    reference: '거래 참조번호',
    releaseAt: '보내는 시각',
    stopClosesAt: '중지 가능 시각',
    button: '이 이체 중지',
    stopped: '이체가 중지되었습니다. 돈은 보내지지 않습니다.',
    released: '이 이체는 이미 보내졌습니다. 본인이 하지 않은 이체라면 즉시 은행에 전화하십시오.',
    closed: '이 이체는 여기에서 더 이상 중지할 수 없습니다. 본인이 하지 않은 이체라면 즉시 은행에 전화하십시오.',
  },
  en: {
    title: 'Stop a transfer',
    intro: 'The transfer below was approved and is held before it is sent.',
    warning: 'Banks, prosecutors, the police and investigators never ask anyone to move money. If you did not make this transfer, or someone on the phone told you to make it, stop it now.',
    bank: 'Bank',
    payeeName: 'Payee',
    payeeBank: 'Payee bank',
    payeeAccount: 'Payee account',
    amount: 'Amount',
    amountWords: 'Amount in words',
    reference: 'Reference',
    releaseAt: 'Will be sent at',
    stopClosesAt: 'Can be stopped until',
    button: 'Stop this transfer',
    stopped: 'The transfer has been stopped. It will not be sent.',
    released: 'This transfer has already been sent. If you did not make it, call your bank at once.',
    closed: 'This transfer can no longer be stopped here. If you did not make it, call your bank at once.',
  },
} as const;

type MessageId = keyof (typeof messages)['en'];
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What the page shows: the button while the stop window is open, else why there is none. */
export type StopPageState = 'open' | 'stopped' | 'released' | 'closed';

export function stopPage(input: { challenge: ChallengeRecord; bankName: string; state: StopPageState; timeZone: string; formAction: string }): string {
  const { challenge, bankName, state, timeZone, formAction } = input;
  const language: Language = challenge.locale.toLowerCase().startsWith('ko') ? 'ko' : 'en';
  const t = (id: MessageId) => escapeHtml(messages[language][id]);
  const time = (at: Date) => new Intl.DateTimeFormat(language === 'ko' ? 'ko-KR' : 'en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
  const { transaction, hold } = challenge;
  const rows: [MessageId, string][] = [['bank', bankName]];
  if (transaction.payee) {
    rows.push(['payeeName', transaction.payee.name]);
    if (transaction.payee.bank) rows.push(['payeeBank', transaction.payee.bank]);
    rows.push(['payeeAccount', transaction.payee.account]);
  }
  if (transaction.amount && transaction.amountMinor !== undefined) {
    rows.push(['amount', `${transaction.amount.value} ${transaction.amount.currency}`]);
    rows.push(['amountWords', amountWords({ amountMinor: transaction.amountMinor, currency: transaction.amount.currency, locale: language })]);
  }
  rows.push(['reference', transaction.reference]);
  if (hold) rows.push(['releaseAt', time(hold.releaseAt)], ['stopClosesAt', time(hold.stopClosesAt)]);
  const table = rows.map(([label, value]) => `<tr><th scope="row">${t(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  const action =
    state === 'open'
      ? `<p class="warning">${t('warning')}</p>\n<form method="post" action="${escapeHtml(formAction)}"><button type="submit">${t('button')}</button></form>`
      : `<p id="status" role="status">${t(state)}</p>`;
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('title')}</title>
<link rel="stylesheet" href="/c/webauthn/assets/page.css">
</head>
<body>
<main>
<h1>${t('title')}</h1>
<p>${t('intro')}</p>
<table>
${table}
</table>
${action}
</main>
</body>
</html>
`;
}
