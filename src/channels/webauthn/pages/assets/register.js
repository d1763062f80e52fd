// The passkey registration page: creation options from stepup, navigator.credentials.create
// through @simplewebauthn/browser, the attestation back to stepup.
'use strict';
(function () {
  var page = window.StepupPage;
  var button = document.getElementById('register');

  async function register(payment) {
    var options = await page.postJson('/options', { payment: payment });
    if (options.status === 410) throw { gone: true };
    if (options.status !== 200) throw new Error('options ' + options.status);
    var attestation = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options.body });
    var verified = await page.postJson('/verify', { response: attestation });
    if (verified.status === 410) throw { gone: true };
    if (verified.status !== 201) throw new Error((verified.body && verified.body.code) || 'verify ' + verified.status);
  }

  button.addEventListener('click', async function () {
    button.disabled = true;
    page.show('');
    var payment = await page.securePaymentConfirmationAvailable();
    try {
      try {
        await register(payment);
      } catch (error) {
        // A browser that refuses the payment extension still gets a plain passkey.
        if (!payment || (error && error.gone) || (error && error.name === 'NotAllowedError')) throw error;
        await register(false);
      }
      page.show(page.messageText('registered'), 'ok');
    } catch (error) {
      page.show(page.messageText(error && error.gone ? 'linkGone' : 'registerFailed'), 'error');
      button.disabled = !!(error && error.gone);
    }
  });
})();
