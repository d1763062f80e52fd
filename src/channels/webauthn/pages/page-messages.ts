// What the customer pages say, by stable message id, in the two page locales.
import type { TransactionType } from '../../../challenges/challenge-record.ts';

export type PageLanguage = 'ko' | 'en';

export const pageLanguage = (locale: string): PageLanguage => (locale.toLowerCase().startsWith('ko') ? 'ko' : 'en');

const messages = {
  ko: {
    registerTitle: '패스키 등록',
    registerIntro: '이 기기에 패스키를 등록하면 이체 등 중요한 거래를 패스키로 승인할 수 있습니다.',
    registerButton: '패스키 등록',
    registered: '패스키가 등록되었습니다. 이 창을 닫으셔도 됩니다.',
    registerFailed: '패스키를 등록하지 못했습니다.',
    linkGone: '이 링크는 만료되었거나 이미 사용되었습니다. 은행에 새 링크를 요청하세요.',
    confirmTitle: '거래 승인',
    confirmIntro: '아래 거래가 맞는지 확인한 후 승인하세요.',
    bank: '은행',
    type: '거래 종류',
    payeeName: '받는 분',
    payeeBank: '받는 분 은행',
    payeeAccount: '받는 분 계좌번호',
    amount: '금액',
    amountWords: '금액 (한글)',
    reference: '거래 참조번호',
    confirmButton: '패스키로 승인',
    rejectButton: '본인이 아닙니다',
    approved: '승인되었습니다. 이 창을 닫으셔도 됩니다.',
    rejected: '거래를 거절했습니다. 은행에 신고되었습니다.',
    failed: '패스키를 확인하지 못했습니다. 다시 시도하세요.',
    denied: '이 거래는 거절되었습니다.',
    ended: '이 요청은 종료되었습니다.',
    coachedQuestion: '지금 누군가 전화로 이 거래를 하라고 시키고 있습니까?',
    coachedYes: '예',
    coachedNo: '아니요',
    coachedWarning: '은행, 검찰, 경찰, 수사기관은 절대로 돈을 옮기라고 요구하지 않습니다. 전화를 끊고 "본인이 아닙니다"를 누르십시오.',
    holdIntro: '이 이체는 {time}에 보내집니다. 본인이 하지 않았거나 누군가 전화로 시켜서 한 이체라면 지금 중지하십시오.',
    holdStopButton: '이 이체 중지',
    holdStopped: '이체가 중지되었습니다. 돈은 보내지지 않습니다.',
    holdStopClosed: '이 이체는 이제 중지할 수 없습니다. 본인이 하지 않은 이체라면 즉시 은행에 전화하십시오.',
  },
  en: {
    registerTitle: 'Register a passkey',
    registerIntro: 'Register a passkey on this device to approve transfers and other important transactions with it.',
    registerButton: 'Register a passkey',
    registered: 'Your passkey is registered. You can close this window.',
    registerFailed: 'The passkey could not be registered.',
    linkGone: 'This link has expired or was already used. Ask your bank for a new one.',
    confirmTitle: 'Confirm a transaction',
    confirmIntro: 'Check that the transaction below is yours, then approve it.',
    bank: 'Bank',
    type: 'Transaction',
    payeeName: 'Payee',
    payeeBank: "Payee's bank",
    payeeAccount: "Payee's account number",
    amount: 'Amount',
    amountWords: 'Amount in words',
    reference: 'Reference',
    confirmButton: 'Confirm with passkey',
    rejectButton: "This wasn't me",
    approved: 'Approved. You can close this window.',
    rejected: 'You declined this transaction. Your bank has been told.',
    failed: 'The passkey could not be verified. Try again.',
    denied: 'This transaction was declined.',
    ended: 'This request has ended.',
    coachedQuestion: 'Is someone on the phone telling you to do this?',
    coachedYes: 'Yes',
    coachedNo: 'No',
    coachedWarning: "Banks, prosecutors, the police and investigators never ask anyone to move money. Hang up, and press \"This wasn't me\".",
    holdIntro: 'This transfer will be sent at {time}. If you did not make it, or someone on the phone told you to make it, stop it now.',
    holdStopButton: 'Stop this transfer',
    holdStopped: 'The transfer has been stopped. It will not be sent.',
    holdStopClosed: 'This transfer can no longer be stopped. If you did not make it, call your bank at once.',
  },
} as const;

export type MessageId = keyof (typeof messages)['en'];

export const message = (language: PageLanguage, id: MessageId): string => messages[language][id];

const transactionTypeNames: Record<PageLanguage, Record<TransactionType, string>> = {
  ko: { transfer: '이체', certificate_reissue: '인증서 재발급', device_designation: '기기 지정', payee_registration: '받는 분 등록', limit_change: '한도 변경', other: '기타' },
  en: { transfer: 'Transfer', certificate_reissue: 'Certificate re-issue', device_designation: 'Device designation', payee_registration: 'Payee registration', limit_change: 'Limit change', other: 'Other' },
};

export const transactionTypeName = (language: PageLanguage, type: TransactionType): string => transactionTypeNames[language][type];
