// The Security page (docs/console.md "Security"): the tenant's security signals, newest first (bank-key
// anomalies and admin tokens used from a new network, from the audit trail), filtered by signal; and, for
// superadmins, the live console sessions with a button that ends one. A signal this console has no label
// for is shown by its name, so signals added on the server appear here unchanged.
import { h, clear, field, notice, table, toast, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { tenantSelect } from './tenant-picker.js';
import { can } from '../console.js';

const knownSignals = ['outside_allowed_networks', 'expired_key_used', 'new_network', 'rate_spike', 'customer_enumeration', 'failure_ratio', 'suspended_key_used', 'admin_new_network'];

/** The signal's label in this language, or its name when there is none. */
const signalLabel = (signal) => {
  const key = `security.signal.${signal}`;
  return t(key) === key ? signal : t(key);
};

function signalRows(signals) {
  return signals.map((signal) =>
    h(
      'tr',
      { dataset: { signal: signal.signal } },
      h('td', {}, fmtTime(signal.observedAt)),
      h('td', {}, h('span', { class: `badge ${signal.refused ? 'bad' : ''}` }, signalLabel(signal.signal))),
      h('td', {}, t(`security.source.${signal.source}`)),
      h(
        'td',
        { class: 'mono' },
        // A key links to its tenant's page, where the key is listed (and can be revoked).
        signal.source === 'key' && signal.tenantId ? h('a', { href: `#/tenants/${signal.tenantId}` }, signal.subject) : signal.subject,
        signal.actor ? h('div', { class: 'muted' }, signal.actor) : null,
      ),
      h('td', { class: 'mono' }, signal.tenantId ?? '—'),
      h('td', { class: 'mono' }, signal.network ?? '—', signal.address ? h('div', { class: 'muted' }, signal.address) : null),
      h('td', {}, signal.refused ? t('security.refused') : t('security.answered')),
    ),
  );
}

async function sessionsSection() {
  if (!can('superadmin')) return null;
  const section = h('section', { class: 'card', 'aria-labelledby': 'sessions-title' }, h('h2', { id: 'sessions-title' }, t('sessions.title')), h('p', { class: 'muted' }, t('sessions.intro')));
  const body = h('div');
  section.append(body);
  const load = async () => {
    const { sessions } = (await api('GET', '/admin/v1/console-sessions')).body;
    const rows = sessions.map((session) => {
      const end = session.current ? null : h('button', { type: 'button', class: 'danger', 'aria-label': t('sessions.endOne', { actor: session.actor }) }, t('sessions.end'));
      end?.addEventListener('click', async () => {
        try {
          await api('DELETE', `/admin/v1/console-sessions/${session.id}`);
          toast(t('sessions.ended'));
        } catch (error) {
          toast(error.message);
        }
        await load();
      });
      return h(
        'tr',
        { dataset: { sessionId: session.id } },
        h('td', {}, session.actor, session.current ? [' ', h('span', { class: 'badge good', 'data-testid': 'this-session' }, t('sessions.this'))] : null),
        h('td', {}, t(`role.${session.role}`)),
        h('td', { class: 'mono' }, session.tenantId ?? '—'),
        h('td', {}, fmtTime(session.startedAt)),
        h('td', {}, fmtTime(session.lastSeenAt)),
        h('td', { class: 'mono' }, session.lastSeenFrom, session.startedFrom !== session.lastSeenFrom ? h('div', { class: 'muted' }, t('sessions.startedFrom', { network: session.startedFrom })) : null),
        h('td', {}, end),
      );
    });
    clear(body).append(table([t('sessions.who'), t('sessions.role'), t('common.tenant'), t('sessions.started'), t('sessions.lastSeen'), t('security.network'), ''], rows, { 'data-testid': 'console-sessions' }));
  };
  await load();
  return section;
}

export async function securityPage(tenantId, params = new URLSearchParams()) {
  const picker = await tenantSelect(tenantId, { allowAll: true });
  const chosen = params.get('signal') ?? '';
  const signal = h('select', { name: 'signal' }, h('option', { value: '' }, t('security.allSignals')));
  const form = h('form', { class: 'card' }, h('div', { class: 'row' }, picker.field, field(t('security.signal'), signal)), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('security.show'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = signal.value ? `?signal=${encodeURIComponent(signal.value)}` : '';
    location.hash = `#/security${picker.select.value ? `/${picker.select.value}` : ''}${query}`;
  });

  const query = new URLSearchParams({ limit: '200' });
  if (tenantId) query.set('tenantId', tenantId);
  if (chosen) query.set('signal', chosen);
  const { signals } = (await api('GET', `/admin/v1/security-signals?${query}`)).body;
  // The filter offers every known signal and any other name the list shows.
  for (const name of [...new Set([...knownSignals, ...signals.map((s) => s.signal), ...(chosen ? [chosen] : [])])]) signal.append(h('option', { value: name }, signalLabel(name)));
  signal.value = chosen;

  const list = signals.length
    ? table([t('common.time'), t('security.signal'), t('security.source'), t('security.subject'), t('common.tenant'), t('security.network'), t('security.outcome')], signalRows(signals), { 'data-testid': 'security-signals' })
    : h('p', { class: 'muted' }, t('security.none'));
  return [
    h('h1', {}, t('security.title')),
    h('p', { class: 'muted' }, t('security.intro')),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'signals-title' }, h('h2', { id: 'signals-title' }, t('security.signals')), list),
    await sessionsSection().catch((error) => notice('bad', error.message)),
  ];
}
