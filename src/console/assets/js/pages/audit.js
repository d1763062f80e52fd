// The audit trail: filter by tenant, action, subject and time; verify the hash chain.
import { h, clear, field, notice, table, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { tenantSelect } from './tenant-picker.js';

export async function auditPage() {
  const picker = await tenantSelect('', { allowAll: true });
  const action = h('input', { type: 'text', maxlength: 64, placeholder: 'policy.updated' });
  const subject = h('input', { type: 'text', maxlength: 128 });
  const from = h('input', { type: 'datetime-local' });
  const to = h('input', { type: 'datetime-local' });
  const results = h('div');
  const verifyResult = h('div', { 'data-testid': 'verify-result' });

  const search = async () => {
    const query = new URLSearchParams({ limit: '500' });
    if (picker.select.value) query.set('tenantId', picker.select.value);
    if (action.value.trim()) query.set('action', action.value.trim());
    if (subject.value.trim()) query.set('subject', subject.value.trim());
    // datetime-local is the browser's local time: sent as an instant, so the server filters the whole trail.
    if (from.value) query.set('from', new Date(from.value).toISOString());
    if (to.value) query.set('to', new Date(to.value).toISOString());
    const { entries } = (await api('GET', `/admin/v1/audit?${query}`)).body;
    clear(results).append(
      entries.length
        ? table([t('audit.seq'), t('common.time'), t('common.tenant'), t('audit.actor'), t('audit.action'), t('audit.subject'), t('audit.data')], entries.map((e) => h('tr', {}, h('td', {}, String(e.seq)), h('td', {}, fmtTime(e.createdAt)), h('td', { class: 'mono' }, e.tenantId ?? '—'), h('td', {}, e.actor), h('td', {}, e.action), h('td', { class: 'mono' }, e.subject ?? '—'), h('td', { class: 'mono' }, JSON.stringify(e.data)))), { 'data-testid': 'audit-entries' })
        : h('p', { class: 'muted' }, t('audit.none')),
    );
  };
  const form = h(
    'form',
    { class: 'card' },
    h('div', { class: 'row' }, picker.field, field(t('audit.action'), action), field(t('audit.subject'), subject), field(t('challenges.from'), from), field(t('challenges.to'), to)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.filter'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search().catch((error) => clear(results).append(notice('bad', error.message)));
  });
  const verify = h('button', { type: 'button', class: 'secondary' }, t('audit.verify'));
  verify.addEventListener('click', async () => {
    clear(verifyResult);
    const { body } = await api('GET', '/admin/v1/audit/verify');
    if (body.ok) {
      verifyResult.append(notice('good', t('audit.chainOk', { rows: body.rows })));
      return;
    }
    const broken = (await api('GET', `/admin/v1/audit?before=${body.brokenAtSeq + 1}&limit=1`)).body.entries[0];
    verifyResult.append(
      notice('bad', h('p', {}, t('audit.chainBroken', { seq: body.brokenAtSeq, rows: body.rows })), broken ? [h('p', {}, t('audit.brokenRow')), h('pre', { class: 'mono', 'data-testid': 'broken-row' }, JSON.stringify(broken, null, 2))] : null),
    );
  });
  await search();
  return [h('h1', {}, t('audit.title')), h('section', { class: 'card' }, h('h2', {}, t('audit.chain')), h('p', { class: 'muted' }, t('audit.chainHint')), verify, verifyResult), form, results];
}
