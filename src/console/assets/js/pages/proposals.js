// Maker-checker in the console (docs/console.md "Policy"): a tenant's policy proposals, and one proposal
// with its diff (weakening fields marked), its backtest, and approve / reject / withdraw / break-glass.
// The server decides who may do what (another token and another admin than the author); the page
// only hides what the signed-in admin cannot do and shows the server's answer.
import { h, field, notice, table, toast, fmtTime } from '../dom.js';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { can, route, session } from '../console.js';
import { tenantPageHead } from './tenant-picker.js';
import { backtestView } from '../backtest-view.js';

const stateBadge = (state) => h('span', { class: `badge ${state === 'approved' ? 'good' : state === 'proposed' ? '' : 'bad'}`, 'data-testid': 'proposal-state' }, t(`proposal.state.${state}`));
const show = (value) => (value === undefined || value === null ? '—' : JSON.stringify(value));

/** `#/policy`: a tenant's proposals (a scoped admin sees its own tenant's at once). */
export async function policyHubPage(tenantId) {
  const { page, tenant } = await tenantPageHead('policy', t('proposals.title'), tenantId);
  if (!tenant) return page;
  const [{ body: settings }, { body: current }, { body: list }] = await Promise.all([
    api('GET', `/admin/v1/tenants/${tenant}`),
    api('GET', `/admin/v1/tenants/${tenant}/policy`),
    api('GET', `/admin/v1/tenants/${tenant}/policy/proposals`),
  ]);
  page.push(
    h(
      'p',
      {},
      t('proposals.current', { version: current.version }),
      ' ',
      h('a', { href: `#/tenants/${tenant}/policy`, class: 'button secondary' }, t('proposals.edit')),
    ),
    settings.policyApproval.required ? notice('warn', t('proposals.required', { approvals: settings.policyApproval.approvals, hours: Math.round(settings.policyApproval.expiresAfterSeconds / 3600) })) : notice('bad', t('proposals.notRequired')),
  );
  const rows = list.proposals.map((p) =>
    h(
      'tr',
      { 'data-proposal': p.id },
      h('td', {}, h('a', { href: `#/policy/${tenant}/${p.id}`, class: 'mono' }, p.id)),
      h('td', {}, stateBadge(p.state)),
      h('td', {}, p.author),
      h('td', {}, fmtTime(p.createdAt)),
      h('td', {}, p.state === 'proposed' ? fmtTime(p.expiresAt) : fmtTime(p.closedAt)),
      h('td', {}, p.diff.length),
      h('td', {}, p.weakens.length ? h('span', { class: 'badge weak' }, t('proposal.weakensCount', { count: p.weakens.length })) : '—'),
    ),
  );
  page.push(
    h('h2', {}, t('proposals.list')),
    rows.length ? table([t('proposal.id'), t('proposal.stateLabel'), t('policy.author'), t('common.created'), t('proposals.endsOrEnded'), t('proposals.changes'), t('proposal.weakens')], rows, { 'data-testid': 'proposals' }) : h('p', { class: 'muted' }, t('proposals.none')),
  );
  return page;
}

/** `#/policy/{tenant}/{proposal}`: one proposal and what can be done with it. */
export async function proposalPage(tenantId, proposalId) {
  const proposal = (await api('GET', `/admin/v1/tenants/${tenantId}/policy/proposals/${proposalId}`)).body;
  const result = h('div', { 'data-testid': 'proposal-result' });
  const mine = proposal.author === session.current.actor;
  const act = async (action, body) => {
    result.replaceChildren();
    try {
      const answer = await api('POST', `/admin/v1/tenants/${tenantId}/policy/proposals/${proposalId}/${action}`, body);
      toast(t(`proposal.done.${action === 'approve' && body?.breakGlass ? 'breakGlass' : action}`, { version: answer.body.appliedVersion ?? '' }));
      await route();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.append(notice('bad', t(`proposal.problem.${error.code}`) === `proposal.problem.${error.code}` ? error.message : t(`proposal.problem.${error.code}`)));
    }
  };

  const diffRows = proposal.diff.map((change) =>
    h(
      'tr',
      { class: change.weakens ? 'weakens' : null, 'data-path': change.path, 'data-weakens': String(change.weakens) },
      h('th', { scope: 'row' }, h('code', {}, change.path)),
      h('td', { class: 'mono' }, show(change.before)),
      h('td', { class: 'mono' }, show(change.after)),
      h('td', {}, change.weakens ? h('span', { class: 'badge weak' }, t('proposal.weakensSecurity')) : h('span', { class: 'muted' }, t('proposal.notWeaker'))),
    ),
  );

  const actions = [];
  if (proposal.state === 'proposed' && can('policy-admin')) {
    const reason = h('input', { type: 'text', maxlength: 500, name: 'reason' });
    if (mine) {
      actions.push(notice('warn', t('proposal.yours')));
      const withdraw = h('button', { type: 'button', class: 'secondary', 'data-testid': 'withdraw' }, t('proposal.withdraw'));
      withdraw.addEventListener('click', () => act('withdraw', {}));
      actions.push(h('div', { class: 'actions' }, withdraw));
    } else {
      const approve = h('button', { type: 'button', 'data-testid': 'approve' }, t('proposal.approve'));
      approve.addEventListener('click', () => act('approve', {}));
      const reject = h('button', { type: 'button', class: 'danger', 'data-testid': 'reject' }, t('proposal.reject'));
      reject.addEventListener('click', () => act('reject', reason.value.trim().length >= 3 ? { reason: reason.value.trim() } : {}));
      actions.push(field(t('proposal.rejectReason'), reason), h('div', { class: 'actions' }, approve, reject));
    }
    if (can('superadmin')) {
      const why = h('input', { type: 'text', maxlength: 500, name: 'break-glass-reason' });
      const glass = h('button', { type: 'button', class: 'danger', 'data-testid': 'break-glass' }, t('proposal.breakGlass'));
      glass.addEventListener('click', () => {
        if (why.value.trim().length < 3) return result.replaceChildren(notice('bad', t('proposal.breakGlassReasonNeeded')));
        if (confirm(t('proposal.confirmBreakGlass'))) act('approve', { breakGlass: true, reason: why.value.trim() });
      });
      actions.push(h('details', { class: 'card' }, h('summary', {}, t('proposal.breakGlassTitle')), h('p', { class: 'muted' }, t('proposal.breakGlassHint')), field(t('proposal.breakGlassReason'), why), h('div', { class: 'actions' }, glass)));
    }
  }

  const gradeOnly = proposal.weakens.filter((path) => !proposal.diff.some((change) => change.path === path));
  return [
    h('p', {}, h('a', { href: `#/policy/${tenantId}` }, t('proposal.back'))),
    h('h1', {}, t('proposal.title', { id: proposal.id }), ' ', stateBadge(proposal.state)),
    h(
      'dl',
      { class: 'card' },
      h('dt', {}, t('policy.author')), h('dd', {}, proposal.author),
      h('dt', {}, t('proposal.base')), h('dd', {}, `v${proposal.baseVersion}`),
      h('dt', {}, t('common.created')), h('dd', {}, fmtTime(proposal.createdAt)),
      h('dt', {}, t('proposal.expires')), h('dd', {}, fmtTime(proposal.expiresAt)),
      h('dt', {}, t('proposal.approvals')), h('dd', {}, `${proposal.approvals.length} / ${proposal.approvalsRequired}`, proposal.approvals.length ? ` (${proposal.approvals.map((a) => a.actor).join(', ')})` : ''),
      proposal.closedBy ? [h('dt', {}, t('proposal.closedBy')), h('dd', {}, `${proposal.closedBy}, ${fmtTime(proposal.closedAt)}${proposal.closeReason ? ` — ${proposal.closeReason}` : ''}`)] : null,
      proposal.appliedVersion ? [h('dt', {}, t('proposal.applied')), h('dd', {}, `v${proposal.appliedVersion}`, proposal.breakGlass ? ` (${t('proposal.breakGlassUsed')})` : '')] : null,
    ),
    h(
      'div',
      { class: 'two' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, t('proposal.diff')),
        proposal.weakens.length ? notice('bad', t('proposal.weakensNotice', { count: proposal.weakens.length })) : notice('good', t('proposal.noWeakening')),
        table([t('proposal.field'), t('proposal.before'), t('proposal.after'), t('proposal.security')], diffRows, { 'data-testid': 'proposal-diff' }),
        gradeOnly.length ? h('p', {}, t('proposal.gradeWeakens'), ' ', gradeOnly.map((path) => h('code', {}, path, ' '))) : null,
        actions,
        result,
      ),
      h('section', { class: 'card' }, h('h2', {}, t('backtest.title')), proposal.backtest ? backtestView(tenantId, proposal.backtest) : h('p', { class: 'muted' }, t('backtest.none'))),
    ),
  ];
}
