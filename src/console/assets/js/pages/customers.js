// A customer by id: enrollment (masked phone, eligibility under the current policy, cooldown, tokens,
// passkeys), lock state with unlock (a reason is required and audited), and erasure.
import { h, clear, field, notice, table, toast, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../console.js';
import { tenantSelect } from './tenant-picker.js';

export async function customersPage(tenantId, customerId) {
  const picker = await tenantSelect(tenantId);
  const idInput = h('input', { type: 'text', name: 'customerId', value: customerId ?? '', maxlength: 64, required: true, autocomplete: 'off' });
  const form = h('form', { class: 'card' }, h('div', { class: 'row' }, picker.field, field(t('customers.id'), idInput)), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('customers.lookUp'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/customers/${picker.select.value}/${encodeURIComponent(idInput.value.trim())}`;
  });
  const result = h('div');
  if (tenantId && customerId) result.append(await customerView(tenantId, customerId));
  return [h('h1', {}, t('customers.title')), form, result];
}

async function customerView(tenantId, customerId) {
  let summary;
  try {
    summary = (await api('GET', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}`)).body;
  } catch (error) {
    return notice(error.status === 404 ? 'warn' : 'bad', error.status === 404 ? t('customers.notFound') : error.message);
  }
  const policy = (await api('GET', `/admin/v1/tenants/${tenantId}/policy`)).body.document;
  const ars = policy.channels?.ars ?? {};
  const phone = summary.phone;
  const reasons = [];
  if (!phone) reasons.push(t('customers.noPhone'));
  else if (phone.lineType && !(ars.allowedLineTypes ?? []).includes(phone.lineType)) reasons.push(t('customers.lineTypeRefused', { lineType: phone.lineType }));
  if (phone?.callForwarding === true && ars.callForwarding !== 'allow') reasons.push(t('customers.forwardingActive'));
  if (phone && phone.callForwarding === null && ars.forwardingUnknown === 'reject') reasons.push(t('customers.forwardingUnknown'));
  let cooldownUntil = null;
  if (phone?.numberChangedAt) {
    const until = new Date(new Date(phone.numberChangedAt).getTime() + (ars.numberChangeCooldownDays ?? 0) * 86_400_000);
    if (until > new Date()) {
      cooldownUntil = until.toISOString();
      reasons.push(t('customers.inCooldown', { until: fmtTime(cooldownUntil) }));
    }
  }
  if (summary.ars && !summary.ars.knowledgeSecret) reasons.push(t('customers.noSecret'));
  if (summary.ars?.locked) reasons.push(t('customers.locked'));
  // Disputed on the call to the old number (docs/ars-channel.md "A changed number"): unlock restores it.
  if (phone?.suspended) reasons.push(t('customers.phoneSuspended'));
  const tokens = summary.otpTokens ?? [];
  const tokenLocked = tokens.some((token) => token.locked);
  const locked = Boolean(summary.ars?.locked) || tokenLocked || Boolean(phone?.suspended);

  const actionResult = h('div');
  const actions = h('div', { class: 'actions' });
  let unlockSection = null;
  if (can('operator')) {
    const reason = h('input', { type: 'text', maxlength: 500, required: true });
    const unlock = h('button', { type: 'submit', disabled: !locked }, t('customers.unlock'));
    const unlockForm = h('form', { class: 'card' }, h('h2', {}, t('customers.unlockTitle')), field(t('customers.unlockReason'), reason, { name: 'reason' }), h('div', { class: 'actions' }, unlock));
    unlockForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(actionResult);
      if (!reason.value.trim()) {
        actionResult.append(notice('bad', t('customers.reasonRequired')));
        reason.focus();
        return;
      }
      try {
        const { body } = await api('POST', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}/unlock`, { reason: reason.value.trim() });
        toast(t('customers.unlocked', { what: body.unlocked.join(', ') || '—' }));
        const fresh = await customerView(tenantId, customerId);
        container.replaceWith(fresh);
      } catch (error) {
        actionResult.append(notice('bad', error.message));
      }
    });
    const erase = h('button', { type: 'button', class: 'danger' }, t('customers.erase'));
    erase.addEventListener('click', async () => {
      if (prompt(t('customers.confirmErase', { customerId })) !== customerId) return;
      try {
        await api('DELETE', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}`);
        container.replaceWith(notice('good', t('customers.erased', { customerId })));
      } catch (error) {
        actionResult.append(notice('bad', error.message));
      }
    });
    actions.append(erase);
    unlockSection = unlockForm;
  }

  const rows = [
    [t('customers.phone'), phone ? `${phone.number} (${phone.lineType ?? '?'})` : '—'],
    [t('customers.forwarding'), phone ? t(phone.callForwarding === true ? 'customers.forwardingOn' : phone.callForwarding === false ? 'customers.forwardingOff' : 'customers.forwardingUnknownState') : '—'],
    [t('customers.eligible'), reasons.length === 0 ? h('span', { class: 'badge good' }, t('common.yes')) : h('span', { class: 'badge bad' }, t('common.no'))],
    [t('customers.why'), reasons.length ? h('ul', {}, reasons.map((r) => h('li', {}, r))) : '—'],
    [t('customers.cooldown'), cooldownUntil ? fmtTime(cooldownUntil) : '—'],
    [t('customers.secret'), summary.ars?.knowledgeSecret ? t('common.yes') : t('common.no')],
    [t('customers.lockState'), h('span', { 'data-testid': 'lock-state', class: `badge ${locked ? 'bad' : 'good'}` }, locked ? t('customers.lockedState') : t('customers.unlockedState'))],
    [t('customers.failures'), String(summary.ars?.consecutiveFailures ?? 0)],
    [t('customers.passkeys'), String(summary.passkeys ?? 0)],
    [t('customers.grade'), summary.grade ?? '—'],
  ];
  const tokenTable = tokens.length
    ? table([t('customers.tokenId'), t('customers.tokenType'), t('customers.lockState')], tokens.map((token) => h('tr', {}, h('td', { class: 'mono' }, token.id), h('td', {}, token.type + (token.suite ? ` ${token.suite}` : '')), h('td', {}, token.locked ? t('customers.lockedState') : t('customers.unlockedState')))))
    : h('p', { class: 'muted' }, t('customers.noTokens'));
  const container = h(
    'div',
    { 'data-testid': 'customer' },
    h('section', { class: 'card' }, h('h2', {}, customerId), h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))), h('h3', {}, t('customers.tokens')), tokenTable, actions, actionResult),
    unlockSection,
    h('p', {}, h('a', { href: `#/challenges/${tenantId}?customer=${encodeURIComponent(customerId)}` }, t('customers.challenges'))),
  );
  return container;
}
