// Held transfers (docs/console.md "Held transfers", docs/holds.md): the tenant's holds by state, soonest
// release first, and the stop form an operator uses here and on the challenge page — a reason is
// required (kept in the audit trail); the server decides who may stop (operator role and up).
import { h, field, notice, table, toast, fmtTime, clear } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { tenantSelect } from './tenant-picker.js';
import { can } from '../console.js';

const states = ['held', 'released', 'stopped'];
const amountText = (amount) => (amount && typeof amount === 'object' ? `${amount.value} ${amount.currency}` : '—');
const payeeText = (payee) => (payee ? [payee.name, payee.bank, payee.account].filter(Boolean).join(' · ') : '—');

/** The hold's state as a badge (`data-testid=hold-state`). */
export const holdBadge = (state) => h('span', { class: `badge ${state === 'stopped' ? 'bad' : state === 'released' ? 'good' : ''}`, 'data-testid': 'hold-state' }, t(`holds.state.${state}`));

/** The stop form of one held transfer, for operators and up; `stopped()` runs after the stop. */
export function stopHoldForm(tenantId, challengeId, stopped) {
  if (!can('operator')) return null;
  const reason = h('input', { type: 'text', maxlength: 500, required: true, autocomplete: 'off' });
  const result = h('div');
  const form = h('form', { class: 'card', novalidate: true, 'aria-label': t('holds.stopTitle') }, h('h2', {}, t('holds.stopTitle')), h('p', { class: 'muted' }, t('holds.stopHint')), field(t('holds.reason'), reason, { name: 'reason' }), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('holds.stop'))), result);
  const errorSlot = () => form.querySelector('[data-error-for="reason"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    errorSlot().textContent = '';
    try {
      await api('POST', `/admin/v1/tenants/${tenantId}/challenges/${challengeId}/stop`, { reason: reason.value.trim() });
      toast(t('holds.stopped'));
      await stopped();
    } catch (error) {
      const fieldError = error.fieldErrors?.().find((e) => e.path === 'body.reason');
      if (fieldError) {
        errorSlot().textContent = t('holds.reasonRequired');
        reason.focus();
      } else {
        const key = `holds.problem.${error.code}`;
        result.append(notice('bad', t(key) === key ? error.message : t(key)));
      }
    }
  });
  return form;
}

export async function holdsPage(tenantId, params = new URLSearchParams()) {
  const picker = await tenantSelect(tenantId);
  const state = h('select', { name: 'state' }, states.map((s) => h('option', { value: s }, t(`holds.state.${s}`))));
  state.value = states.includes(params.get('state')) ? params.get('state') : 'held';
  const form = h('form', { class: 'card' }, h('div', { class: 'row' }, picker.field, field(t('holds.stateFilter'), state)), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('holds.show'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/holds/${picker.select.value}${state.value === 'held' ? '' : `?state=${state.value}`}`;
  });
  const page = [h('h1', {}, t('holds.title')), h('p', { class: 'muted' }, t('holds.intro')), form];
  const tenant = tenantId ?? picker.select.value;
  if (!tenant) return page;
  const { holds } = (await api('GET', `/admin/v1/tenants/${tenant}/holds?state=${state.value}`)).body;
  const rows = holds.map((hold) =>
    h(
      'tr',
      {},
      h('td', {}, h('a', { href: `#/challenges/${tenant}/${hold.challengeId}`, class: 'mono' }, hold.challengeId)),
      h('td', {}, hold.customerId),
      h('td', {}, amountText(hold.amount)),
      h('td', {}, payeeText(hold.payee)),
      h('td', {}, hold.reasons.map((r) => t(`holds.reason.${r}`)).join(', ')),
      h('td', {}, fmtTime(hold.releaseAt)),
      h('td', {}, fmtTime(hold.stopClosesAt)),
      h('td', {}, holdBadge(hold.state), hold.stoppedBy ? ` ${t(`holds.by.${hold.stoppedBy}`)}` : ''),
    ),
  );
  page.push(
    holds.length
      ? table([t('challenges.id'), t('challenges.customer'), t('challenges.amount'), t('challenges.payee'), t('holds.why'), t('holds.releaseAt'), t('holds.stopClosesAt'), t('holds.stateFilter')], rows, { 'data-testid': 'holds' })
      : h('p', { class: 'muted' }, t('holds.none')),
  );
  return page;
}
