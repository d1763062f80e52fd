// The console shell: sign-in, navigation, language switch and the hash router over the pages.
import { h, clear, field, notice } from './dom.js';
import { api, ApiError, setCsrfToken, whenSignedOut } from './api.js';
import { t, setLocale, preferredLocale, locale } from './i18n.js';
import { tenantsPage, tenantPage } from './pages/tenants.js';
import { policyPage } from './pages/policy.js';
import { customersPage } from './pages/customers.js';
import { challengesPage, challengePage } from './pages/challenges.js';
import { auditPage } from './pages/audit.js';
import { policyHubPage, proposalPage } from './pages/proposals.js';
import { dashboardPage } from './pages/dashboard.js';
import { holdsPage } from './pages/holds.js';
import { securityPage } from './pages/security.js';

const roles = ['viewer', 'operator', 'policy-admin', 'superadmin'];
export const session = { current: null };
/** Whether the signed-in role reaches `role` (the console hides what a role cannot do; the server decides). */
export const can = (role) => session.current && roles.indexOf(session.current.role) >= roles.indexOf(role);

const main = () => document.getElementById('main');

const routes = [
  [/^#\/tenants\/(ten_[\w-]+)\/policy$/, (m) => policyPage(m[1])],
  [/^#\/tenants\/(ten_[\w-]+)$/, (m) => tenantPage(m[1])],
  [/^#\/tenants$/, () => tenantsPage()],
  [/^#\/customers(?:\/(ten_[\w-]+)(?:\/([^/]+))?)?$/, (m) => customersPage(m[1], m[2] && decodeURIComponent(m[2]))],
  [/^#\/challenges\/(ten_[\w-]+)\/(chl_[\w-]+)$/, (m) => challengePage(m[1], m[2])],
  [/^#\/challenges(?:\/(ten_[\w-]+))?(?:\?(.*))?$/, (m) => challengesPage(m[1], new URLSearchParams(m[2] ?? ''))],
  [/^#\/holds(?:\/(ten_[\w-]+))?(?:\?(.*))?$/, (m) => holdsPage(m[1], new URLSearchParams(m[2] ?? ''))],
  [/^#\/audit$/, () => auditPage()],
  [/^#\/security(?:\/(ten_[\w-]+))?(?:\?(.*))?$/, (m) => securityPage(m[1], new URLSearchParams(m[2] ?? ''))],
  [/^#\/policy\/(ten_[\w-]+)\/(pp_[\w-]+)$/, (m) => proposalPage(m[1], m[2])],
  [/^#\/policy(?:\/(ten_[\w-]+))?$/, (m) => policyHubPage(m[1])],
  [/^#\/dashboard(?:\/(ten_[\w-]+))?$/, (m) => dashboardPage(m[1])],
];

function renderNav() {
  const nav = document.getElementById('nav');
  clear(nav);
  const queues = can('operator') ? '/admin/queues' : '/admin/queues-readonly';
  const links = [['#/tenants', t('nav.tenants')], ['#/policy', t('nav.policy')], ['#/dashboard', t('nav.dashboard')], ['#/customers', t('nav.customers')], ['#/challenges', t('nav.challenges')], ['#/holds', t('nav.holds')], ['#/security', t('nav.security')], ['#/audit', t('nav.audit')]];
  if (!session.current.tenantId) links.push([queues, t('nav.queues')]);
  for (const [href, text] of links) {
    // The policy editor lives under its tenant (#/tenants/…/policy) but belongs to "Policy".
    const editor = /^#\/tenants\/[^/]+\/policy$/.test(location.hash);
    const active = href === '#/policy' ? location.hash.startsWith(href) || editor : href.startsWith('#') && location.hash.startsWith(href) && !(href === '#/tenants' && editor);
    nav.append(h('a', { href, 'aria-current': active ? 'page' : null }, text));
  }
  nav.hidden = false;
}

let renders = 0;
/** Renders the page the hash names (again). */
export async function route() {
  if (!session.current) return;
  renderNav();
  const hash = location.hash || '#/tenants';
  const match = routes.map(([pattern, page]) => [hash.match(pattern), page]).find(([m]) => m);
  // Only the latest navigation renders: an older one still loading is dropped.
  const generation = ++renders;
  const target = main();
  try {
    const content = [await (match ? match[1](match[0]) : tenantsPage())].flat().filter(Boolean);
    if (generation !== renders) return;
    clear(target).append(...content);
  } catch (error) {
    if (!session.current || generation !== renders) return;
    clear(target).append(notice('bad', error instanceof ApiError ? `${error.status}: ${error.message}` : String(error)));
  }
  main().focus();
}

function signInPage(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div');
  const form = h(
    'form',
    { class: 'card signin-form', novalidate: true },
    field(t('signin.token'), token),
    h('p', { class: 'muted' }, t('signin.hint')),
    h('button', { type: 'submit' }, t('signin.submit')),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(status);
    try {
      const { body } = await api('POST', '/admin/session', { token: token.value });
      token.value = '';
      signedIn(body);
    } catch (error) {
      status.append(notice('bad', error.status === 401 ? t('signin.failed') : error.message));
      token.focus();
    }
  });
  const page = h('section', { class: 'signin' }, h('h1', {}, t('signin.title')), message ? notice('warn', message) : null, form);
  clear(main()).append(page);
  token.focus();
}

function signedIn(body) {
  session.current = body;
  setCsrfToken(body.csrfToken);
  document.getElementById('who').textContent = `${body.actor} · ${t(`role.${body.role}`)}${body.tenantId ? ` · ${body.tenantId}` : ''}`;
  document.getElementById('sign-out').hidden = false;
  if (!location.hash) location.hash = '#/tenants';
  else route();
}

function translateShell() {
  document.querySelector('.skip').textContent = t('shell.skip');
  document.getElementById('lang-label').textContent = t('shell.language');
  document.getElementById('sign-out').textContent = t('shell.signOut');
  document.getElementById('nav').setAttribute('aria-label', t('shell.nav'));
  document.title = t('shell.title');
}

async function start() {
  await setLocale(preferredLocale());
  const select = document.getElementById('lang');
  select.value = locale();
  translateShell();
  select.addEventListener('change', async () => {
    await setLocale(select.value);
    translateShell();
    if (session.current) {
      signedIn(session.current);
    } else signInPage();
  });
  // Disabled in the page until now: a choice made while the strings were still loading went unheard.
  select.disabled = false;
  document.getElementById('sign-out').addEventListener('click', async () => {
    await api('DELETE', '/admin/session').catch(() => undefined);
    session.current = null;
    setCsrfToken(null);
    signInPage(t('signin.signedOut'));
  });
  whenSignedOut(() => {
    session.current = null;
    signInPage(t('signin.expired'));
  });
  window.addEventListener('hashchange', route);
  try {
    const { body } = await api('GET', '/admin/session');
    signedIn(body);
  } catch {
    signInPage();
  }
}

start();
