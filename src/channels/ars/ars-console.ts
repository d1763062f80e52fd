// What the admin console shows of the ARS channel (docs/console.md), in both languages: its policy
// fields, its timeline section (the call attempts) and its part of the customer page — the masked
// number, whether the customer can be called now under the tenant's policy and why not, the lock.
import { consoleText as text, type ConsoleCustomer, type ConsoleMetadata, type ConsoleText } from '../channel-module.ts';
import type { ArsPolicy } from './ars-policy.ts';

export const arsConsole: ConsoleMetadata = {
  title: text('Calls (ARS)', 'ARS 전화'),
  policyFields: [
    { field: 'enabled', kind: 'bool', label: text('ARS calls enabled', 'ARS 전화 사용') },
    { field: 'callAttempts', kind: 'number', label: text('Call attempts', '전화 시도 횟수') },
    { field: 'lockAfterConsecutiveFailures', kind: 'number', label: text('Lock after consecutive failures', '연속 실패 시 잠금 횟수') },
    { field: 'maxCallsPerCustomerPerHour', kind: 'number', label: text('Calls per customer per hour', '고객당 시간당 통화 수') },
    { field: 'maxCallsPerNumberPerDay', kind: 'number', label: text('Calls per number per day', '번호당 하루 통화 수') },
  ],
  timeline: [
    {
      key: 'callAttempts',
      kind: 'table',
      title: text('Call attempts', '전화 시도'),
      empty: text('No calls.', '전화 시도가 없습니다.'),
      columns: [
        { field: 'attempt', format: 'text', label: text('Attempt', '시도') },
        { field: 'status', format: 'text', label: text('State', '상태') },
        { field: 'endReason', format: 'text', label: text('Outcome', '결과') },
        { field: 'answeredBy', format: 'text', label: text('Answered by', '응답 주체') },
        { field: 'answersGiven', format: 'text', label: text('Answers given', '응답 수') },
        { field: 'createdAt', format: 'time', label: text('Started', '시작') },
        { field: 'endedAt', format: 'time', label: text('Ended', '종료') },
      ],
    },
  ],
};

/** The ARS part of the enrollment summary (ArsEnrollment.describe). */
export interface ArsSummary {
  phone: { number: string; lineType: string | null; callForwarding: boolean | null; numberChangedAt: string | null; suspended: boolean } | null;
  ars: { knowledgeSecret: boolean; locked: boolean; consecutiveFailures: number };
}

/** The customer page's ARS facts: pure, from the summary, the tenant's ARS policy and now. */
export function arsConsoleCustomer(summary: ArsSummary, policy: ArsPolicy, now: Date): ConsoleCustomer {
  const { phone, ars } = summary;
  const reasons: ConsoleText[] = [];
  if (!phone) reasons.push(text('no phone number registered', '등록된 전화번호 없음'));
  else if (phone.lineType && !(policy.allowedLineTypes as string[]).includes(phone.lineType)) {
    reasons.push(text(`line type ${phone.lineType} is not allowed by the policy`, `정책이 허용하지 않는 회선 유형: ${phone.lineType}`));
  }
  if (phone?.callForwarding === true && policy.callForwarding !== 'allow') reasons.push(text('call forwarding was active when the number was vetted', '번호 확인 때 착신전환이 설정되어 있었습니다'));
  if (phone && phone.callForwarding === null && policy.forwardingUnknown === 'reject') {
    reasons.push(text('call forwarding could not be ruled out, and the policy refuses unknown', '착신전환 여부를 확인할 수 없고, 정책이 확인 불가를 거부합니다'));
  }
  let cooldownUntil: string | null = null;
  if (phone?.numberChangedAt) {
    const until = new Date(new Date(phone.numberChangedAt).getTime() + policy.numberChangeCooldownDays * 86_400_000);
    if (until > now) {
      cooldownUntil = until.toISOString();
      reasons.push(text(`number changed recently: cooldown until ${cooldownUntil}`, `최근 번호 변경: ${cooldownUntil}까지 대기`));
    }
  }
  if (!ars.knowledgeSecret) reasons.push(text('no security number set', '보안 번호 미설정'));
  if (ars.locked) reasons.push(text('locked after failed answers', '오답으로 잠김'));
  // Disputed on the call to the old number (docs/ars-channel.md "A changed number"): unlock restores it.
  if (phone?.suspended) {
    reasons.push(
      text(
        'the customer pressed 9 on the call to the old number ("I did not change it"): the number is suspended until unlocked or enrolled again',
        '고객이 예전 번호로 간 전화에서 9번을 눌렀습니다(본인이 바꾸지 않음). 잠금 해제하거나 번호를 다시 등록할 때까지 이 번호는 정지됩니다',
      ),
    );
  }
  const forwarding = phone?.callForwarding === true ? text('active', '설정됨') : phone?.callForwarding === false ? text('not active', '설정 안 됨') : text('unknown', '알 수 없음');
  const eligible = reasons.length === 0;
  return {
    locked: ars.locked || Boolean(phone?.suspended),
    facts: [
      { label: text('Phone (masked)', '전화번호(가림)'), value: { text: phone ? `${phone.number} (${phone.lineType ?? '?'})` : '—' } },
      { label: text('Call forwarding (as last vetted)', '착신전환(마지막 확인)'), value: phone ? { label: forwarding } : { text: '—' } },
      { label: text('Eligible for ARS', 'ARS 사용 가능'), value: { badge: eligible ? 'good' : 'bad', label: eligible ? text('yes', '예') : text('no', '아니요') } },
      { label: text('Why not', '불가 사유'), value: reasons.length ? { list: reasons } : { text: '—' } },
      { label: text('Number change cooldown until', '번호 변경 대기 종료'), value: { time: cooldownUntil } },
      { label: text('Security number set', '보안 번호 설정'), value: { yes: ars.knowledgeSecret } },
      { label: text('Consecutive failures', '연속 실패'), value: { text: String(ars.consecutiveFailures) } },
    ],
  };
}
