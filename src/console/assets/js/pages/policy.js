// The policy editor: a form for the fields admins change most, the full document as JSON, the diff
// of what will change, a dry run of a sample transaction against the draft, save with If-Match, and
// the version history with diffs and restore (a restore is saved as a new version).
import { h, clear, field, notice, table, toast, fmtTime } from '../dom.js';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { can, route } from '../console.js';
import { jsonDiff } from '../diff.js';
import { backtestView } from '../backtest-view.js';
import { channelMetadata, text } from '../channels.js';

/** After a PUT: a new version (200), or a proposal waiting for another admin (202, maker-checker). */
function afterWrite(tenantId, written, savedMessage) {
  if (written.status === 202) {
    toast(t('policy.proposed'));
    location.hash = `#/policy/${tenantId}/${written.body.id}`;
    return;
  }
  toast(savedMessage(written.body.version));
  return route();
}

const transactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'];
/** The core's groups of fields: [group, [[path, kind], …]], labelled by the console's strings. */
const coreGroup = (group, fields) => ({ legend: t(`policy.group.${group}`), fields: fields.map(([path, kind]) => ({ path, kind, label: t(`policy.field.${path}`) })) });

/** The form: the core's groups with each channel module's fields after the channel order, labelled by the module. */
function formFields(modules) {
  return [
    coreGroup('stepUp', [['stepUp.dailyCumulativeThreshold', 'money'], ['stepUp.designatedDeviceExemptBelow', 'money'], ['stepUp.unregisteredPayeeLimit', 'money'], ['stepUp.riskScoreThreshold', 'number'], ['stepUp.alwaysFor', 'types']]),
    coreGroup('channels', [['channelOrder', 'list'], ['challengeTtlSeconds', 'number']]),
    ...modules
      .filter((module) => module.console?.policyFields?.length)
      .map((module) => ({ legend: text(module.console.title), fields: module.console.policyFields.map((field) => ({ path: `channels.${module.name}.${field.field}`, kind: field.kind, label: text(field.label) })) })),
    coreGroup('keyProtection', [['keyProtection.rateSpikeMultiple', 'number'], ['keyProtection.rateSpikeMinimumPerMinute', 'number'], ['keyProtection.unknownCustomersPerWindow', 'number'], ['keyProtection.failureRatio', 'number'], ['keyProtection.failureMinimumRequests', 'number'], ['keyProtection.suspendOnStrongSignal', 'bool']]),
    coreGroup('grades', [['grades', 'json']]),
  ];
}

const getPath = (doc, path) => path.split('.').reduce((node, key) => (node == null ? undefined : node[key]), doc);
function setPath(doc, path, value) {
  const keys = path.split('.');
  let node = doc;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)] = value;
}
const show = (value) => (value === undefined ? '—' : JSON.stringify(value));

/** A diff as a list: path, old value struck through, new value. */
export function diffList(changes, testid) {
  if (changes.length === 0) return h('p', { class: 'muted', 'data-testid': testid }, t('policy.noChanges'));
  return h('ul', { class: 'diff', 'data-testid': testid }, changes.map((c) => h('li', {}, h('strong', {}, c.path), ': ', h('span', { class: 'old' }, show(c.before)), ' → ', h('span', { class: 'new' }, show(c.after)))));
}

export async function policyPage(tenantId) {
  const tenant = (await api('GET', `/admin/v1/tenants/${tenantId}`)).body;
  const current = await api('GET', `/admin/v1/tenants/${tenantId}/policy`);
  const versions = (await api('GET', `/admin/v1/tenants/${tenantId}/policy/versions`)).body.versions;
  // Version 0 is the server's defaults, every channel module's section included (never stored): listed so v1 has a diff and the defaults can be restored.
  if (versions.length === 0 || versions.at(-1).version === 1) versions.push((await api('GET', `/admin/v1/tenants/${tenantId}/policy/versions/0`)).body);
  const saved = current.body.document;
  let etag = current.etag;
  let draft = structuredClone(saved);
  const editable = can('policy-admin');

  const controls = new Map();
  const jsonArea = h('textarea', { rows: 18, spellcheck: 'false', 'data-testid': 'policy-json' });
  const jsonStatus = h('div');
  const diffBox = h('div');
  const saveResult = h('div');

  const refresh = ({ fromJson = false } = {}) => {
    if (!fromJson) jsonArea.value = JSON.stringify(draft, null, 2);
    clear(diffBox).append(diffList(jsonDiff(saved, draft), 'policy-diff'));
  };
  const fillForm = () => {
    for (const [path, [kind, control]] of controls) {
      const value = getPath(draft, path);
      if (kind === 'bool') control.checked = Boolean(value);
      else if (kind === 'types') for (const box of control.querySelectorAll('input')) box.checked = (value ?? []).includes(box.value);
      else if (kind === 'list') control.value = (value ?? []).join(', ');
      else if (kind === 'json') control.value = JSON.stringify(value ?? {}, null, 2);
      else control.value = value ?? '';
    }
  };
  const readControl = (path, kind, control) => {
    if (kind === 'bool') return control.checked;
    if (kind === 'types') return [...control.querySelectorAll('input:checked')].map((box) => box.value);
    if (kind === 'list') return control.value.split(',').map((item) => item.trim()).filter(Boolean);
    if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(control.value.trim()) ? Number(control.value) : control.value;
    if (kind === 'json') {
      try {
        return JSON.parse(control.value || '{}');
      } catch {
        return control.value;
      }
    }
    return control.value.trim();
  };

  const { modules } = await channelMetadata();
  const fieldsets = formFields(modules).map(({ legend, fields }) =>
    h(
      'fieldset',
      {},
      h('legend', {}, legend),
      h(
        'div',
        { class: 'grid' },
        fields.map(({ path, kind, label }) => {
          let control;
          if (kind === 'bool') {
            control = h('input', { type: 'checkbox', id: `p-${path}`, disabled: !editable });
            const wrapper = h('div', {}, h('label', { class: 'inline', for: control.id }, control, label), h('div', { class: 'field-error', dataset: { errorFor: path } }));
            controls.set(path, [kind, control]);
            control.addEventListener('change', () => { setPath(draft, path, readControl(path, kind, control)); refresh(); });
            return wrapper;
          }
          if (kind === 'types') {
            control = h('div', { role: 'group', 'aria-label': label }, transactionTypes.map((type) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value: type, disabled: !editable }), t(`type.${type}`))));
            controls.set(path, [kind, control]);
            control.addEventListener('change', () => { setPath(draft, path, readControl(path, kind, control)); refresh(); });
            return h('div', {}, h('div', { class: 'label' }, h('strong', {}, label)), control, h('div', { class: 'field-error', dataset: { errorFor: path } }));
          }
          control = kind === 'json' ? h('textarea', { rows: 4, spellcheck: 'false', disabled: !editable }) : h('input', { type: 'text', inputmode: kind === 'money' || kind === 'number' ? 'decimal' : 'text', disabled: !editable });
          controls.set(path, [kind, control]);
          control.addEventListener('input', () => { setPath(draft, path, readControl(path, kind, control)); refresh(); });
          if (kind === 'json') return h('div', { class: 'wide' }, field(label, control, { name: path }));
          return field(label, control, { name: path, hint: kind === 'money' ? t('policy.moneyHint', { currency: draft.currency }) : kind === 'list' ? t('policy.listHint') : undefined });
        }),
      ),
    ),
  );

  const applyJson = h('button', { type: 'button', class: 'secondary' }, t('policy.applyJson'));
  applyJson.addEventListener('click', () => {
    clear(jsonStatus);
    try {
      draft = JSON.parse(jsonArea.value);
      fillForm();
      refresh({ fromJson: true });
      jsonStatus.append(notice('good', t('policy.jsonApplied')));
    } catch (error) {
      jsonStatus.append(notice('bad', t('policy.jsonInvalid', { message: error.message })));
    }
  });

  const showFieldErrors = (error, prefix) => {
    for (const slot of document.querySelectorAll('[data-error-for]')) slot.textContent = '';
    for (const control of document.querySelectorAll('.invalid')) control.classList.remove('invalid');
    const unplaced = [];
    for (const { path, message } of error.fieldErrors()) {
      const name = path.replace(prefix, '');
      const slot = document.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) {
        slot.textContent = message;
        controls.get(name)?.[1].classList.add('invalid');
      } else unplaced.push(`${name}: ${message}`);
    }
    return unplaced;
  };

  // Dry run: the same sample against the saved policy and the draft, side by side.
  const sample = {
    amount: h('input', { type: 'text', inputmode: 'decimal', value: '3500000' }),
    type: h('select', {}, transactionTypes.map((type) => h('option', { value: type }, t(`type.${type}`)))),
    today: h('input', { type: 'text', inputmode: 'decimal', value: '0' }),
    risk: h('input', { type: 'text', inputmode: 'decimal', value: '0.1' }),
    device: h('input', { type: 'checkbox' }),
    payee: h('select', {}, h('option', { value: '' }, t('dryrun.payeeUnknown')), h('option', { value: 'true' }, t('common.yes')), h('option', { value: 'false' }, t('common.no'))),
    grade: h('input', { type: 'text', maxlength: 32 }),
  };
  const dryResult = h('div', { 'data-testid': 'dry-run-result' });
  const dryRun = h('button', { type: 'button' }, t('dryrun.run'));
  dryRun.addEventListener('click', async () => {
    clear(dryResult);
    const body = {
      // A sample: the reference and payee only satisfy the transaction's shape; no rule reads them.
      transaction: {
        reference: 'DRY-RUN',
        type: sample.type.value,
        ...(sample.amount.value.trim() ? { amount: { value: sample.amount.value.trim(), currency: draft.currency ?? 'KRW' } } : {}),
        ...(sample.type.value === 'transfer' ? { payee: { name: 'Sample payee', bank: 'Sample bank', account: '000-000-000000' } } : {}),
      },
      context: { designatedDevice: sample.device.checked, riskScore: Number(sample.risk.value || 0), ...(sample.payee.value ? { payeeRegistered: sample.payee.value === 'true' } : {}), ...(sample.grade.value.trim() ? { grade: sample.grade.value.trim() } : {}) },
      ...(sample.today.value.trim() ? { todayApproved: sample.today.value.trim() } : {}),
    };
    try {
      const [before, after] = await Promise.all([api('POST', `/admin/v1/tenants/${tenantId}/policy/dry-run`, body), api('POST', `/admin/v1/tenants/${tenantId}/policy/dry-run`, { ...body, policy: draft })]);
      const verdict = (label, result, testid) =>
        h('div', { class: 'card', 'data-testid': testid, 'data-step-up': String(result.stepUpRequired) }, h('strong', {}, label, ': '), h('span', { class: `badge ${result.stepUpRequired ? 'bad' : 'good'}` }, result.stepUpRequired ? t('dryrun.stepUp') : t('dryrun.notRequired')), result.reasons.length ? h('ul', {}, result.reasons.map((reason) => h('li', {}, h('code', {}, reason), ' — ', t(`reason.${reason}`)))) : null);
      dryResult.append(verdict(t('dryrun.saved', { version: current.body.version }), before.body, 'dry-run-saved'), verdict(t('dryrun.draft'), after.body, 'dry-run-draft'));
    } catch (error) {
      const unplaced = error instanceof ApiError ? showFieldErrors(error, /^policy\./) : [];
      dryResult.append(notice('bad', error.message, unplaced.length ? h('ul', {}, unplaced.map((line) => h('li', {}, line))) : null));
    }
  });
  const drySection = h(
    'section',
    { class: 'card' },
    h('h2', {}, t('dryrun.title')),
    h('p', { class: 'muted' }, t('dryrun.hint')),
    h('div', { class: 'row' }, field(t('dryrun.type'), sample.type), field(t('dryrun.amount'), sample.amount), field(t('dryrun.today'), sample.today), field(t('dryrun.risk'), sample.risk), field(t('dryrun.payee'), sample.payee), field(t('dryrun.grade'), sample.grade)),
    h('label', { class: 'inline' }, sample.device, t('dryrun.device')),
    h('div', { class: 'actions' }, dryRun),
    dryResult,
  );

  // Backtest: the draft and the saved policy over the tenant's own decisions of the last days.
  const days = h('input', { type: 'number', min: 1, max: 366, value: 30 });
  const backtestResult = h('div', { 'data-testid': 'backtest-result' });
  const runBacktest = h('button', { type: 'button', 'data-testid': 'run-backtest' }, t('backtest.run'));
  runBacktest.addEventListener('click', async () => {
    clear(backtestResult).append(h('p', { class: 'muted' }, t('backtest.running')));
    try {
      const answer = await api('POST', `/admin/v1/tenants/${tenantId}/policy/backtest`, { document: draft, days: Number(days.value) || 30 });
      clear(backtestResult).append(backtestView(tenantId, answer.body));
    } catch (error) {
      const unplaced = error instanceof ApiError ? showFieldErrors(error, /^document\./) : [];
      clear(backtestResult).append(notice('bad', error.message, unplaced.length ? h('ul', {}, unplaced.map((line) => h('li', {}, line))) : null));
    }
  });
  const backtestSection = h('section', { class: 'card' }, h('h2', {}, t('backtest.title')), h('p', { class: 'muted' }, t('backtest.hint')), h('div', { class: 'row' }, field(t('backtest.days'), days)), h('div', { class: 'actions' }, runBacktest), backtestResult);

  const save = h('button', { type: 'button', 'data-testid': 'save-policy' }, tenant.policyApproval?.required ? t('policy.propose') : t('policy.save'));
  save.addEventListener('click', async () => {
    clear(saveResult);
    try {
      const written = await api('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft, { 'if-match': etag });
      await afterWrite(tenantId, written, (version) => t('policy.savedVersion', { version }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 412) {
        const latest = await api('GET', `/admin/v1/tenants/${tenantId}/policy`);
        const reload = h('button', { type: 'button', class: 'secondary' }, t('policy.loadLatest'));
        reload.addEventListener('click', () => route());
        saveResult.append(notice('warn', h('p', {}, t('policy.conflict', { version: latest.body.version, author: latest.body.author })), h('p', {}, t('policy.conflictDiff')), diffList(jsonDiff(latest.body.document, draft), 'conflict-diff'), reload));
        return;
      }
      const unplaced = showFieldErrors(error, /^body\./);
      saveResult.append(notice('bad', error.status === 403 ? t('policy.forbidden') : error.message, unplaced.length ? h('ul', {}, unplaced.map((line) => h('li', {}, line))) : null));
    }
  });
  const reset = h('button', { type: 'button', class: 'secondary' }, t('policy.discard'));
  reset.addEventListener('click', () => { draft = structuredClone(saved); fillForm(); refresh(); });

  const history = versions.map((version, index) => {
    const previous = versions[index + 1];
    const restore = editable && version.version !== current.body.version ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('policy.restoreVersion', { version: version.version }) }, t('policy.restore')) : null;
    restore?.addEventListener('click', async () => {
      if (!confirm(t('policy.confirmRestore', { version: version.version }))) return;
      try {
        const written = await api('PUT', `/admin/v1/tenants/${tenantId}/policy`, version.document, { 'if-match': etag });
        await afterWrite(tenantId, written, (now) => t('policy.restored', { version: version.version, now }));
      } catch (error) {
        toast(error.message);
      }
    });
    return h('tr', { 'data-version': version.version }, h('td', {}, `v${version.version}`, version.version === 0 ? ` (${t('policy.defaults')})` : ''), h('td', {}, version.author), h('td', {}, version.version === 0 ? '—' : fmtTime(version.createdAt)), h('td', {}, previous ? diffList(jsonDiff(previous.document, version.document), `version-diff-${version.version}`) : h('span', { class: 'muted' }, t('policy.firstVersion'))), h('td', {}, restore));
  });

  fillForm();
  refresh();
  return [
    h('h1', {}, t('policy.title', { tenant: tenant.name })),
    h('p', { class: 'muted', 'data-testid': 'policy-version' }, current.body.version === 0 ? t('policy.currentDefaults') : t('policy.current', { version: current.body.version, author: current.body.author, time: fmtTime(current.body.createdAt) })),
    editable ? null : notice('warn', t('policy.readOnly')),
    tenant.policyApproval?.required ? notice('warn', t('policy.makerChecker'), ' ', h('a', { href: `#/policy/${tenantId}` }, t('policy.seeProposals'))) : null,
    h(
      'div',
      { class: 'two' },
      h('div', {}, h('section', { class: 'card' }, h('h2', {}, t('policy.form')), fieldsets), h('section', { class: 'card' }, h('h2', {}, t('policy.json')), field(t('policy.jsonLabel'), jsonArea), h('div', { class: 'actions' }, applyJson), jsonStatus)),
      h('div', {}, h('section', { class: 'card' }, h('h2', {}, t('policy.diff')), diffBox, editable ? h('div', { class: 'actions' }, save, reset) : null, saveResult), drySection, backtestSection),
    ),
    h('section', { class: 'card' }, h('h2', {}, t('policy.history')), table([t('policy.version'), t('policy.author'), t('common.time'), t('policy.changes'), ''], history, { 'data-testid': 'versions' })),
  ];
}
