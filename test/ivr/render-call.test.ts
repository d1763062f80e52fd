import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { transactionTypes, type TransactionType } from '../../src/challenges/challenge-record.ts';
import { callTransactionTypes, type CallTransactionType, type CallTransactionView } from '../../src/channels/ars/call-transaction.ts';
import type { FlowCatalog } from '../../src/telephony/ivr/flow-catalog.ts';
import type { CallFlow } from '../../src/telephony/ivr/flow-schema.ts';
import { loadFlows } from '../../src/telephony/ivr/load-flows.ts';
import { renderAskAgain, renderGoodbye, renderIntro, renderListenerCheck, renderRepeatDetails, type CallOutcome } from '../../src/telephony/ivr/render-call.ts';
import { parseTwiml, spokenLines, type TwimlNode } from './twiml-tree.ts';

const transfer: CallTransactionView = {
  type: 'transfer',
  payeeName: '김철수',
  payeeBank: '신한은행',
  payeeAccount: '110-123-456789',
  amountMinor: 3_500_000n,
  currency: 'KRW',
};
const hooks = { actionUrl: 'https://stepup.example/ivr/attempts/att_1/gather?sig=a&n=1', noInputUrl: 'https://stepup.example/ivr/attempts/att_1/no-input' };

function gatherOf(response: TwimlNode): TwimlNode {
  const gathers = response.children.filter((node) => node.name === 'Gather');
  assert.equal(gathers.length, 1, 'exactly one Gather');
  return gathers[0]!;
}

function verbs(response: TwimlNode): string[] {
  return response.children.map((node) => node.name);
}

describe('render-call', () => {
  let catalog: FlowCatalog;
  let korean: CallFlow;
  let english: CallFlow;
  before(async () => {
    catalog = await loadFlows();
    korean = catalog.resolve('knowledge-check', 'ko-KR');
    english = catalog.resolve('knowledge-check', 'en-US');
  });

  it('speaks every transaction type of docs/call-script.md', () => {
    assert.deepEqual([...callTransactionTypes], [...transactionTypes]);
    const sameTypes: [TransactionType] extends [CallTransactionType] ? ([CallTransactionType] extends [TransactionType] ? true : false) : false = true;
    assert.equal(sameTypes, true);
  });

  describe('renderListenerCheck (answering-machine detection not sure)', () => {
    for (const locale of ['ko-KR', 'en-US']) {
      it(`${locale}: the bank's name and one key inside a Gather, then Hangup; nothing of a transaction`, () => {
        const flow = locale === 'ko-KR' ? korean : english;
        const response = parseTwiml(renderListenerCheck({ flow, bankName: '데모은행', actionUrl: hooks.actionUrl }));
        assert.deepEqual(verbs(response), ['Pause', 'Gather', 'Hangup']);
        const gather = gatherOf(response);
        assert.equal(gather.attributes.numDigits, '1');
        assert.equal(gather.attributes.action, hooks.actionUrl);
        const lines = spokenLines(response);
        assert.equal(lines.length, 1);
        assert.equal(lines[0]!.inGather, true);
        assert.equal(lines[0]!.text, flow.messages.listener_check!.replace('{bankName}', '데모은행'));
      });
    }
  });

  describe('renderIntro, ko-KR: 3,500,000 KRW to 김철수', () => {
    let xml: string;
    let response: TwimlNode;
    before(() => {
      xml = renderIntro({ flow: korean, bankName: '데모은행', transaction: transfer, positions: [8, 2, 6, 5], ...hooks });
      response = parseTwiml(xml);
    });

    it('greets with the bank name, then reads the transaction before the Gather', () => {
      assert.deepEqual(verbs(response), ['Pause', 'Say', 'Say', 'Say', 'Say', 'Say', 'Say', 'Say', 'Gather', 'Say', 'Redirect']);
      const lines = spokenLines(response);
      assert.match(lines[0]!.text, /데모은행/);
      const outside = lines.filter((line) => !line.inGather).map((line) => line.text);
      assert.ok(outside.includes('받는 분, 김철수.'));
      assert.ok(outside.includes('받는 은행, 신한은행.'));
      assert.ok(outside.includes('금액, 삼백오십만 원.'));
      assert.ok(xml.indexOf('삼백오십만 원') < xml.indexOf('<Gather'));
      assert.ok(xml.indexOf('김철수') < xml.indexOf('<Gather'));
    });

    it('reads every account digit in order, 0 as 공', () => {
      const account = spokenLines(response).find((line) => line.text.startsWith('계좌번호'));
      assert.ok(account && !account.inGather);
      assert.equal(account.text, '계좌번호, 일, 일, 공. 일, 이, 삼. 사, 오, 육, 칠, 팔, 구.');
    });

    it('nests the ask with the ordinal positions inside a DTMF Gather', () => {
      const gather = gatherOf(response);
      assert.deepEqual(gather.attributes, {
        input: 'dtmf',
        numDigits: '4',
        finishOnKey: '#',
        timeout: String(korean.gather.timeoutSeconds),
        action: hooks.actionUrl,
        method: 'POST',
        actionOnEmptyResult: 'false',
      });
      assert.equal(gather.children.length, 1);
      assert.equal(gather.children[0]!.name, 'Say');
      assert.match(gather.children[0]!.text, /보안번호의 두 번째, 다섯 번째, 여섯 번째, 여덟 번째 숫자를/);
      assert.match(gather.children[0]!.text, /별표/);
      assert.match(gather.children[0]!.text, /0번/);
      assert.equal(spokenLines(response).filter((line) => line.inGather).length, 1);
    });

    it('says "no input" and redirects after the Gather', () => {
      const [noInput, redirect] = response.children.slice(-2);
      assert.equal(noInput!.text, '입력이 확인되지 않았습니다.');
      assert.equal(redirect!.name, 'Redirect');
      assert.equal(redirect!.text, hooks.noInputUrl);
      assert.equal(redirect!.attributes.method, 'POST');
    });

    it("speaks in the flow's voice and language", () => {
      for (const say of response.children.filter((node) => node.name === 'Say').concat(gatherOf(response).children)) {
        assert.deepEqual(say.attributes, { language: 'ko-KR', voice: 'Polly.Seoyeon' });
      }
    });
  });

  describe('renderIntro, en-US', () => {
    it('reads the same transaction in English', () => {
      const xml = renderIntro({ flow: english, bankName: 'Demo Bank', transaction: transfer, positions: [2, 5, 6, 8], ...hooks });
      const response = parseTwiml(xml);
      const outside = spokenLines(response).filter((line) => !line.inGather).map((line) => line.text);
      assert.match(outside[0]!, /Demo Bank/);
      assert.ok(outside.includes('Account number: one, one, zero. one, two, three. four, five, six, seven, eight, nine.'));
      assert.ok(outside.includes('Amount: three million five hundred thousand won.'));
      assert.ok(xml.indexOf('three million five hundred thousand won') < xml.indexOf('<Gather'));
      const ask = gatherOf(response).children[0]!;
      assert.equal(
        ask.text,
        'To approve, enter the second, fifth, sixth and eighth digits of your security number. If you did not request this, press star. To hear the details again, press 0.',
      );
      assert.deepEqual(ask.attributes, { language: 'en-US', voice: 'Polly.Joanna' });
    });

    it('reads dollars and cents', () => {
      const xml = renderIntro({
        flow: english,
        bankName: 'Demo Bank',
        transaction: { type: 'transfer', payeeName: 'Jane Roe', payeeAccount: '0042 7781', amountMinor: 1050n, currency: 'USD' },
        positions: [1, 3, 4, 6],
        ...hooks,
      });
      assert.match(xml, /Amount: ten dollars and fifty cents\./);
      assert.doesNotMatch(xml, /Bank:/);
    });
  });

  describe('names in another script', () => {
    const nameVoices = () => ({ ko: korean.voice, en: english.voice });
    const says = (xml: string) =>
      spokenLines(parseTwiml(xml)).filter((line) => !line.inGather).map((line) => ({ text: line.text, language: line.attributes.language, voice: line.attributes.voice }));

    it('en-US call: a Hangul bank, payee and payee bank are each a <Say language="ko-KR"> with the Korean voice', () => {
      const lines = says(renderIntro({ flow: english, nameVoices: nameVoices(), bankName: '스텝업은행', transaction: transfer, positions: [2, 5, 6, 8], ...hooks }));
      const en = { language: 'en-US', voice: english.voice.name };
      const ko = { language: 'ko-KR', voice: korean.voice.name };
      assert.deepEqual(lines.slice(0, 9), [
        { text: 'Hello, this is', ...en },
        { text: '스텝업은행', ...ko },
        { text: 'We are calling to confirm a request made in your name.', ...en },
        { text: 'Please listen carefully to the details.', ...en },
        { text: 'This is a request to transfer money.', ...en },
        { text: 'Payee:', ...en },
        { text: '김철수', ...ko },
        { text: 'Bank:', ...en },
        { text: '신한은행', ...ko },
      ]);
      // No Hangul is left for the English voice.
      assert.equal(lines.some((line) => line.language === 'en-US' && /\p{Script=Hangul}/u.test(line.text)), false);
    });

    it('ko-KR call: a Latin-only payee is read by the English voice; Hangul names stay in the Korean lines', () => {
      const lines = says(
        renderIntro({ flow: korean, nameVoices: nameVoices(), bankName: '스텝업은행', transaction: { ...transfer, payeeName: 'John Smith' }, positions: [2, 5, 6, 8], ...hooks }),
      );
      assert.match(lines[0]!.text, /스텝업은행/);
      const payee = lines.findIndex((line) => line.text === 'John Smith');
      assert.ok(payee > 0, 'the payee has its own Say');
      assert.deepEqual(lines[payee], { text: 'John Smith', language: 'en-US', voice: english.voice.name });
      assert.deepEqual(lines[payee - 1], { text: '받는 분,', language: 'ko-KR', voice: korean.voice.name });
      assert.ok(lines.some((line) => line.text === '받는 은행, 신한은행.' && line.language === 'ko-KR'));
    });

    it('the listener check and the repeated details split names the same way; without nameVoices nothing is split', () => {
      const check = parseTwiml(renderListenerCheck({ flow: english, nameVoices: nameVoices(), bankName: '스텝업은행', actionUrl: hooks.actionUrl }));
      const inGather = gatherOf(check).children.map((node) => [node.text, node.attributes.language]);
      assert.deepEqual(inGather, [
        ['Hello, this is', 'en-US'],
        ['스텝업은행', 'ko-KR'],
        ['with an automated security call. To hear the details, press 1.', 'en-US'],
      ]);
      const repeat = says(renderRepeatDetails({ flow: english, nameVoices: nameVoices(), transaction: transfer, positions: [1, 2], ...hooks }));
      assert.ok(repeat.some((line) => line.text === '김철수' && line.language === 'ko-KR'));
      const plain = says(renderIntro({ flow: english, bankName: '스텝업은행', transaction: transfer, positions: [2, 5, 6, 8], ...hooks }));
      assert.ok(plain.some((line) => line.text === 'Payee: 김철수.' && line.language === 'en-US'));
    });
  });

  describe('non-transfer types', () => {
    it('reads the type phrase and no amount when there is none', () => {
      const response = parseTwiml(renderIntro({ flow: korean, bankName: '데모은행', transaction: { type: 'certificate_reissue' }, positions: [1, 4, 7, 9], ...hooks }));
      const outside = spokenLines(response).filter((line) => !line.inGather).map((line) => line.text);
      assert.ok(outside.includes('인터넷뱅킹 인증서 재발급 요청입니다.'));
      assert.equal(outside.some((line) => line.startsWith('금액') || line.startsWith('계좌번호')), false);
    });

    it('reads the details a non-transfer type carries', () => {
      const xml = renderIntro({
        flow: english,
        bankName: 'Demo Bank',
        transaction: { type: 'payee_registration', payeeName: 'Kim', payeeBank: 'Shinhan', payeeAccount: '110-123-456789' },
        positions: [2, 3, 5, 7],
        ...hooks,
      });
      assert.match(xml, /This is a request to register a new payee account\./);
      assert.match(xml, /Account number: one, one, zero/);
    });

    it('has a phrase for every type in both languages', () => {
      for (const flow of [korean, english]) {
        for (const type of callTransactionTypes) {
          const transaction: CallTransactionView = type === 'transfer' ? transfer : { type };
          const lines = spokenLines(parseTwiml(renderRepeatDetails({ flow, transaction, positions: [1, 2, 3, 4], ...hooks })));
          assert.ok(lines.some((line) => line.text === flow.messages[`transaction.type.${type}`]));
        }
      }
    });

    it('refuses to read a transfer without account or amount', () => {
      const { amountMinor: _amount, ...withoutAmount } = transfer;
      assert.throws(() => renderIntro({ flow: korean, bankName: '데모은행', transaction: withoutAmount, positions: [1, 2, 3, 4], ...hooks }), RangeError);
    });
  });

  describe('renderRepeatDetails', () => {
    it('reads the transaction again without the greeting, then asks', () => {
      const response = parseTwiml(renderRepeatDetails({ flow: korean, transaction: transfer, positions: [2, 5, 6, 8], ...hooks }));
      const lines = spokenLines(response);
      assert.equal(lines.some((line) => line.text.includes('안녕하세요')), false);
      assert.equal(verbs(response).includes('Pause'), false);
      assert.ok(lines.findIndex((line) => line.text === '금액, 삼백오십만 원.') < lines.findIndex((line) => line.inGather));
      assert.match(gatherOf(response).children[0]!.text, /두 번째, 다섯 번째, 여섯 번째, 여덟 번째/);
    });
  });

  describe('renderAskAgain', () => {
    it('says the answer was wrong before asking for the new positions', () => {
      const response = parseTwiml(renderAskAgain({ flow: english, positions: [1, 3, 4, 7], wrong: true, ...hooks }));
      assert.deepEqual(verbs(response), ['Say', 'Gather', 'Say', 'Redirect']);
      assert.equal(response.children[0]!.text, "That was not correct. Let's try different digits.");
      assert.match(gatherOf(response).children[0]!.text, /enter the first, third, fourth and seventh digits/);
    });

    it('asks again without blame after no input', () => {
      const response = parseTwiml(renderAskAgain({ flow: korean, positions: [2, 5, 6, 8], ...hooks }));
      assert.deepEqual(verbs(response), ['Gather', 'Say', 'Redirect']);
    });

    it('says goodbye and hangs up after the last ask when no no-input hook is given', () => {
      const response = parseTwiml(renderAskAgain({ flow: korean, positions: [2, 5, 6, 8], actionUrl: hooks.actionUrl }));
      assert.deepEqual(verbs(response), ['Gather', 'Say', 'Say', 'Hangup']);
      assert.equal(response.children[1]!.text, korean.messages['goodbye.no_input']);
    });
  });

  describe('renderGoodbye', () => {
    const outcomes: CallOutcome[] = ['approved', 'rejected', 'locked', 'too_many_failures', 'expired', 'canceled', 'no_input'];

    it('says the outcome and hangs up, in both languages', () => {
      for (const flow of [korean, english]) {
        for (const outcome of outcomes) {
          const response = parseTwiml(renderGoodbye({ flow, outcome }));
          assert.equal(response.children.at(-1)!.name, 'Hangup');
          assert.equal(response.children[0]!.text, flow.messages[`goodbye.${outcome}`]);
          assert.equal(response.children.at(-2)!.text, flow.messages['goodbye.farewell']);
          assert.equal(response.children.some((node) => node.name === 'Gather'), false);
        }
      }
    });

    it("gives the bank's number digit by digit after a rejection, lock or failure only", () => {
      const rejected = renderGoodbye({ flow: korean, outcome: 'rejected', bankPhone: '1599-8000' });
      assert.match(rejected, /이 거래를 중단하고 사고로 접수하였습니다/);
      assert.match(rejected, /일, 오, 구, 구\. 팔, 공, 공, 공/);
      assert.match(renderGoodbye({ flow: english, outcome: 'locked', bankPhone: '1599-8000' }), /call the bank at one, five, nine, nine\. eight, zero, zero, zero\./);
      assert.doesNotMatch(renderGoodbye({ flow: english, outcome: 'approved', bankPhone: '1599-8000' }), /call the bank/);
      assert.doesNotMatch(renderGoodbye({ flow: english, outcome: 'rejected' }), /call the bank/);
    });
  });

  describe('what must never be said', () => {
    // Security number 20478153; positions 2, 5, 6, 8 → expected answer 0813.
    const securityNumber = '20478153';
    const expectedAnswer = '0813';
    const forbidden = [securityNumber, expectedAnswer, '공, 팔, 일, 삼', 'zero, eight, one, three', '2047', '8153'];

    it('no rendered TwiML carries the security number or the expected answer', () => {
      const rendered: string[] = [];
      for (const flow of [korean, english]) {
        rendered.push(
          // The render options have no field for it; even one passed by mistake is never read.
          // @ts-expect-error securityNumber is not a render option
          renderIntro({ flow, bankName: 'Demo', transaction: transfer, positions: [2, 5, 6, 8], ...hooks, securityNumber }),
          renderRepeatDetails({ flow, transaction: transfer, positions: [2, 5, 6, 8], ...hooks }),
          renderAskAgain({ flow, positions: [2, 5, 6, 8], wrong: true, ...hooks }),
          renderAskAgain({ flow, positions: [2, 5, 6, 8], actionUrl: hooks.actionUrl }),
          ...(['approved', 'rejected', 'locked', 'too_many_failures', 'expired', 'canceled', 'no_input'] as const).map((outcome) =>
            renderGoodbye({ flow, outcome, bankPhone: '1599-8000' }),
          ),
        );
      }
      for (const xml of rendered) {
        for (const secret of forbidden) assert.equal(xml.includes(secret), false, `found ${secret} in ${xml}`);
      }
    });

    it('positions are named, never given as digits', () => {
      const ask = gatherOf(parseTwiml(renderAskAgain({ flow: english, positions: [2, 5, 6, 8], ...hooks }))).children[0]!.text;
      assert.doesNotMatch(ask, /[2-9]/);
    });
  });

  describe('bank-supplied text', () => {
    it('is escaped and never expanded as a placeholder', () => {
      const xml = renderIntro({
        flow: english,
        bankName: 'Bank & <Co>',
        transaction: { ...transfer, payeeName: '{positions} </Say><Hangup/>', payeeBank: 'A\u0000B\nC' },
        positions: [2, 5, 6, 8],
        ...hooks,
      });
      const response = parseTwiml(xml);
      const lines = spokenLines(response).map((line) => line.text);
      assert.match(lines[0]!, /Bank & <Co>/);
      assert.ok(lines.includes('Payee: {positions} </Say><Hangup/>.'));
      assert.ok(lines.includes('Bank: A B C.'));
      assert.equal(response.children.filter((node) => node.name === 'Hangup').length, 0);
    });
  });
});
