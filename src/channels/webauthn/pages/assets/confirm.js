// The confirmation page of a webauthn challenge: the transaction is on the page; the passkey signs
// SHA-256(nonce || transactionHash) (stepup sends the derived challenge). Where the browser offers
// Secure Payment Confirmation, the browser itself shows payee and amount and signs them too.
'use strict';
(function () {
  var page = window.StepupPage;
  var confirmButton = document.getElementById('confirm');
  var rejectButton = document.getElementById('reject');

  // Before the buttons (docs/holds.md): someone on the phone telling the customer to approve is the
  // voice phisher's script. "Yes" keeps approval off and says why; "No" allows it.
  var coachedWarning = document.getElementById('coached-warning');
  document.querySelectorAll('#coached input[name=coached]').forEach(function (input) {
    input.addEventListener('change', function () {
      if (document.body.dataset.outcome) return;
      var coached = input.value === 'yes' && input.checked;
      coachedWarning.hidden = !coached;
      confirmButton.disabled = coached;
    });
  });

  function finish(status, hold) {
    confirmButton.disabled = true;
    rejectButton.disabled = true;
    var text = status === 'approved' ? 'approved' : status === 'denied' ? 'denied' : 'ended';
    page.show(page.messageText(text), status === 'approved' ? 'ok' : 'error');
    document.body.dataset.outcome = status;
    if (status === 'approved' && hold && hold.stopUrl) offerStop(hold);
  }

  // A held transfer can still be stopped (docs/holds.md, "Stopping"): the button posts to the stop
  // page's own route (same origin; its token is in the link), never releases anything.
  function offerStop(hold) {
    var section = document.getElementById('hold-stop');
    var button = document.getElementById('stop-transfer');
    var holdStatus = document.getElementById('hold-status');
    var time = new Date(hold.releaseAt).toLocaleString(document.documentElement.lang);
    document.getElementById('hold-intro').textContent = page.messageText('holdIntro').replace('{time}', time);
    section.hidden = false;
    button.addEventListener('click', async function () {
      button.disabled = true;
      try {
        var response = await fetch(new URL(hold.stopUrl).pathname + '/stop', { method: 'POST', credentials: 'omit' });
        if (response.status === 200) {
          holdStatus.textContent = page.messageText('holdStopped');
          document.body.dataset.hold = 'stopped';
          return;
        }
        holdStatus.textContent = page.messageText(response.status === 409 ? 'holdStopClosed' : 'failed');
        button.disabled = response.status === 409;
      } catch (error) {
        holdStatus.textContent = page.messageText('failed');
        button.disabled = false;
      }
    });
  }

  function credentialJson(credential) {
    if (credential && typeof credential.toJSON === 'function') return credential.toJSON();
    var response = credential.response;
    return {
      id: credential.id,
      rawId: page.toBase64Url(credential.rawId),
      type: credential.type,
      clientExtensionResults: {},
      response: {
        clientDataJSON: page.toBase64Url(response.clientDataJSON),
        authenticatorData: page.toBase64Url(response.authenticatorData),
        signature: page.toBase64Url(response.signature),
        userHandle: response.userHandle ? page.toBase64Url(response.userHandle) : undefined,
      },
    };
  }

  async function securePaymentConfirmation(options) {
    var pay = options.payment;
    var request = new PaymentRequest(
      [{
        supportedMethods: 'secure-payment-confirmation',
        data: {
          credentialIds: pay.credentialIds.map(page.fromBase64Url),
          challenge: page.fromBase64Url(options.publicKey.challenge),
          rpId: options.publicKey.rpId,
          payeeName: pay.payeeName,
          instrument: { displayName: pay.instrumentName, icon: location.origin + '/c/webauthn/assets/instrument.png' },
          timeout: options.publicKey.timeout,
        },
      }],
      { total: { label: 'Total', amount: { currency: pay.total.currency, value: pay.total.value } } },
    );
    if (!(await request.canMakePayment())) return null;
    var response = await request.show();
    await response.complete('success');
    return credentialJson(response.details);
  }

  confirmButton.addEventListener('click', async function () {
    confirmButton.disabled = true;
    page.show('');
    try {
      var options = await page.postJson('/options');
      if (options.status === 410) return finish('ended');
      if (options.status !== 200) throw new Error('options ' + options.status);
      var assertion = null;
      if (options.body.payment && (await page.securePaymentConfirmationAvailable())) {
        try {
          assertion = await securePaymentConfirmation(options.body);
        } catch (error) {
          if (error && error.name === 'AbortError') throw error;
          assertion = null;
        }
      }
      if (!assertion) assertion = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options.body.publicKey });
      var verified = await page.postJson('/verify', { response: assertion });
      if (verified.status === 200) return finish(verified.body.status, verified.body);
      if (verified.status === 410) return finish('ended');
      if (verified.body && verified.body.challengeStatus) return finish(verified.body.challengeStatus);
      page.show(page.messageText('failed'), 'error');
      confirmButton.disabled = false;
    } catch (error) {
      page.show(page.messageText('failed'), 'error');
      confirmButton.disabled = false;
    }
  });

  rejectButton.addEventListener('click', async function () {
    rejectButton.disabled = true;
    confirmButton.disabled = true;
    var rejected = await page.postJson('/reject');
    if (rejected.status === 200) {
      page.show(page.messageText('rejected'), 'error');
      document.body.dataset.outcome = rejected.body.status;
      return;
    }
    finish('ended');
  });
})();
