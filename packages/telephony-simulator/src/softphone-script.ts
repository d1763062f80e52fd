// The softphone's browser script, served as /sim/phone.js (same origin, so a strict CSP holds).
// Plain ES2020, no build step. It follows /sim/events, shows the chosen call's text, speaks each new
// <Say> with speechSynthesis in the Say's language, and sends each key press to
// /sim/calls/{sid}/digits (the simulator collects them per <Gather>, as Twilio's media server does).
export const softphoneScript = String.raw`'use strict';
(() => {
  const byId = (id) => document.getElementById(id);
  const el = {
    number: byId('number'), follow: byId('follow'), select: byId('call-select'), status: byId('call-status'),
    sid: byId('call-sid'), to: byId('call-to'), answeredBy: byId('answered-by'), transcript: byId('transcript'),
    prompt: byId('prompt'), awaiting: byId('awaiting-digits'), typed: byId('entered-digits'),
    speak: byId('speak'), hangup: byId('hangup'), notice: byId('notice'), connection: byId('connection'),
    countdown: byId('submit-countdown'), fontNotice: byId('font-notice'),
  };
  const terminal = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
  const calls = new Map();
  let selected = null;
  let spokenLines = 0;
  let typed = '';
  let wasAwaiting = false;
  let sending = Promise.resolve();
  // When the keys typed so far will be sent (the Gather's timeout after the last key), in this
  // browser's clock; null when nothing is pending.
  let submitDeadline = null;
  let countdownTimer = null;

  const params = new URLSearchParams(location.search);
  if (params.get('to')) el.number.value = params.get('to');

  function normalizedFilter() {
    const raw = el.number.value.replace(/[\s().-]/g, '');
    if (raw === '') return null;
    return raw.startsWith('+') ? raw : '+' + raw;
  }
  function matchesFilter(call) {
    const filter = normalizedFilter();
    return filter === null || call.to === filter;
  }
  function newestMatching() {
    let newest = null;
    for (const call of calls.values()) {
      if (matchesFilter(call) && (newest === null || call.createdAt >= newest.createdAt)) newest = call;
    }
    return newest;
  }
  function setNotice(text) {
    el.notice.textContent = text;
  }

  function speakLine(line) {
    if (!el.speak.checked || !('speechSynthesis' in window)) return;
    const utterance = new SpeechSynthesisUtterance(line.text);
    utterance.lang = line.language || 'en-US';
    const voice = speechSynthesis.getVoices().find((v) => v.lang === utterance.lang)
      || speechSynthesis.getVoices().find((v) => v.lang && v.lang.startsWith(utterance.lang.slice(0, 2)));
    if (voice) utterance.voice = voice;
    speechSynthesis.speak(utterance);
  }

  function select(sid, { speakHistory }) {
    if (selected === sid) return;
    selected = sid;
    typed = '';
    wasAwaiting = false;
    if ('speechSynthesis' in window) speechSynthesis.cancel();
    const call = calls.get(sid);
    spokenLines = call && (speakHistory && !terminal.has(call.status)) ? 0 : call ? call.lines.length : 0;
    render();
  }

  // Without a Hangul font every syllable is drawn as the same empty box (.notdef): two different
  // syllables then give identical pixels.
  function hangulRenders() {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 32;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return true;
    const pixels = (text) => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      context.fillStyle = '#000';
      context.font = '24px sans-serif';
      context.textBaseline = 'top';
      context.fillText(text, 4, 4);
      return context.getImageData(0, 0, canvas.width, canvas.height).data.join(',');
    };
    return pixels('가') !== pixels('힣');
  }

  function renderCountdown() {
    if (submitDeadline === null) {
      el.countdown.textContent = '';
      delete el.countdown.dataset.seconds;
      return;
    }
    const seconds = Math.max(0, Math.ceil((submitDeadline - Date.now()) / 1000));
    el.countdown.dataset.seconds = String(seconds);
    el.countdown.textContent = 'sending ' + typed + ' in ' + seconds + ' s' + (finishKey === '#' ? ' (press # to send now)' : '');
  }
  let finishKey = null;

  function trackDeadline(call) {
    const pending = Boolean(call && call.awaitingDigits && call.pendingDigits && call.submitInMs !== null && call.submitInMs !== undefined);
    submitDeadline = pending ? Date.now() + call.submitInMs : null;
    finishKey = call ? call.finishOnKey : null;
    if (submitDeadline !== null && countdownTimer === null) countdownTimer = setInterval(renderCountdown, 200);
    if (submitDeadline === null && countdownTimer !== null) {
      clearInterval(countdownTimer);
      countdownTimer = null;
    }
    renderCountdown();
  }

  function renderList() {
    const previous = el.select.value;
    el.select.replaceChildren();
    const placeholder = document.createElement('option');
    placeholder.value = '';
    placeholder.textContent = calls.size === 0 ? 'no calls yet' : 'choose a call';
    el.select.append(placeholder);
    const list = [...calls.values()].filter(matchesFilter).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    for (const call of list) {
      const option = document.createElement('option');
      option.value = call.sid;
      option.textContent = call.to + ' · ' + call.status + ' · ' + new Date(call.createdAt).toLocaleTimeString();
      el.select.append(option);
    }
    el.select.value = selected !== null && calls.has(selected) ? selected : previous && calls.has(previous) ? previous : '';
  }

  function renderCall() {
    const call = selected === null ? undefined : calls.get(selected);
    el.status.textContent = call ? call.status : 'idle';
    el.status.dataset.status = call ? call.status : 'idle';
    el.sid.textContent = call ? call.sid : '';
    el.to.textContent = call ? call.to : '';
    el.answeredBy.textContent = call && call.answeredBy ? call.answeredBy : '';
    el.prompt.textContent = call && call.awaitingDigits && call.prompt ? call.prompt : '';
    el.awaiting.textContent = call && call.awaitingDigits ? 'listening for keys' : '';
    el.awaiting.dataset.awaiting = String(Boolean(call && call.awaitingDigits));
    el.hangup.disabled = !call || terminal.has(call.status);
    const lines = call ? call.lines : [];
    el.transcript.replaceChildren(...lines.map((line) => {
      const item = document.createElement('li');
      item.dataset.testid = 'transcript-line';
      item.dataset.kind = line.kind;
      if (line.language) item.lang = line.language;
      item.textContent = line.kind === 'digits' ? 'you pressed ' + line.text : line.text;
      return item;
    }));
    el.transcript.scrollTop = el.transcript.scrollHeight;
    if (call && call.awaitingDigits && !wasAwaiting) typed = '';
    wasAwaiting = Boolean(call && call.awaitingDigits);
    el.typed.textContent = typed;
    trackDeadline(call);
    for (; call && spokenLines < lines.length; spokenLines++) {
      if (lines[spokenLines].kind === 'say') speakLine(lines[spokenLines]);
    }
  }

  function render() {
    renderList();
    renderCall();
  }

  function upsert(call, { live }) {
    const isNew = !calls.has(call.sid);
    calls.set(call.sid, call);
    if (el.follow.checked && matchesFilter(call)) {
      const newest = newestMatching();
      const current = selected === null ? undefined : calls.get(selected);
      const currentLive = Boolean(current && !terminal.has(current.status));
      if (newest && newest.sid !== selected && (isNew || selected === null)) {
        // Call waiting: a new call (e.g. the retry of an older challenge) never takes the screen
        // from a call still in progress, as a person may be halfway through typing digits.
        if (currentLive) setNotice('Another call is ringing (' + newest.to + '): it comes up when this one ends.');
        else select(newest.sid, { speakHistory: live });
      } else if (newest && newest.sid !== selected && call.sid === selected && !currentLive && !terminal.has(newest.status)) {
        // The call on screen ended while another was waiting: pick that one up.
        setNotice('');
        select(newest.sid, { speakHistory: live });
      }
    }
    render();
  }

  function connect() {
    const source = new EventSource('/sim/events');
    source.addEventListener('open', () => { el.connection.textContent = 'connected'; });
    source.addEventListener('error', () => { el.connection.textContent = 'reconnecting…'; });
    source.addEventListener('snapshot', (event) => {
      calls.clear();
      for (const call of JSON.parse(event.data)) calls.set(call.sid, call);
      const wanted = params.get('sid');
      if (wanted && calls.has(wanted) && selected === null) {
        el.follow.checked = false;
        select(wanted, { speakHistory: true });
      } else if (el.follow.checked) {
        const newest = newestMatching();
        if (newest) select(newest.sid, { speakHistory: true });
      }
      render();
    });
    source.addEventListener('call', (event) => upsert(JSON.parse(event.data), { live: true }));
    source.addEventListener('cleared', () => {
      calls.clear();
      selected = null;
      render();
    });
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 409) setNotice('The call is not listening for keys right now.');
    else if (!response.ok) setNotice('The simulator answered ' + response.status + '.');
    else setNotice('');
    return response;
  }

  function press(key) {
    const call = selected === null ? undefined : calls.get(selected);
    if (!call) {
      setNotice('No call selected.');
      return;
    }
    typed += key;
    el.typed.textContent = typed;
    // Barge-in: a key press cuts the prompt short, as on a real call.
    if (call.awaitingDigits && 'speechSynthesis' in window) speechSynthesis.cancel();
    const sid = call.sid;
    sending = sending.then(() => post('/sim/calls/' + encodeURIComponent(sid) + '/digits', { digits: key })).catch(() => setNotice('Network error.'));
  }

  for (const button of document.querySelectorAll('[data-key]')) {
    button.addEventListener('click', () => press(button.dataset.key));
  }
  document.addEventListener('keydown', (event) => {
    if (event.target === el.number || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9*#]$/.test(event.key)) {
      event.preventDefault();
      press(event.key);
    }
  });
  el.hangup.addEventListener('click', () => {
    if (selected === null) return;
    if ('speechSynthesis' in window) speechSynthesis.cancel();
    void post('/sim/calls/' + encodeURIComponent(selected) + '/hangup', {});
  });
  el.select.addEventListener('change', () => {
    if (el.select.value === '') return;
    el.follow.checked = false;
    select(el.select.value, { speakHistory: false });
  });
  el.number.addEventListener('input', () => {
    if (el.follow.checked) {
      const newest = newestMatching();
      selected = null;
      if (newest) select(newest.sid, { speakHistory: false });
    }
    render();
  });
  el.follow.addEventListener('change', () => {
    if (!el.follow.checked) return;
    const newest = newestMatching();
    if (newest) select(newest.sid, { speakHistory: false });
  });
  if ('speechSynthesis' in window) speechSynthesis.getVoices();
  if (!hangulRenders()) {
    el.fontNotice.hidden = false;
    el.fontNotice.dataset.missing = 'true';
  }
  render();
  connect();
})();
`;
