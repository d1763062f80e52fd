// Shared by the customer pages (served from /c/webauthn/assets/, no inline script: strict CSP).
'use strict';
window.StepupPage = (function () {
  function messageText(id) {
    return document.body.dataset['msg' + id.charAt(0).toUpperCase() + id.slice(1)] || id;
  }
  function show(text, kind) {
    var status = document.getElementById('status');
    status.textContent = text;
    status.className = kind || '';
  }
  async function postJson(path, body) {
    var response = await fetch(location.pathname.replace(/\/$/, '') + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
      credentials: 'omit',
    });
    var json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return { status: response.status, body: json };
  }
  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function fromBase64Url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) base64 += '=';
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  /**
   * Secure Payment Confirmation where the browser offers it (feature detection, never assumed):
   * the availability API where it exists; otherwise a Payment Request API with a user-verifying
   * platform authenticator, confirmed later by canMakePayment() on the actual request.
   */
  async function securePaymentConfirmationAvailable() {
    if (typeof window.PaymentRequest !== 'function') return false;
    try {
      if (typeof PaymentRequest.securePaymentConfirmationAvailability === 'function') {
        return (await PaymentRequest.securePaymentConfirmationAvailability()) === 'available';
      }
      return typeof PublicKeyCredential === 'function' && (await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
    } catch (e) {
      return false;
    }
  }
  return { messageText: messageText, show: show, postJson: postJson, toBase64Url: toBase64Url, fromBase64Url: fromBase64Url, securePaymentConfirmationAvailable: securePaymentConfirmationAvailable };
})();
